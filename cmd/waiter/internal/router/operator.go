package router

import (
	"fmt"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// EjectInstance stops routing to an instance until until (Waiter's
// /eject, EvEjectInstance); the engine refuses one serving requests.
func (d *Driver) EjectInstance(serviceID, instanceID string, until time.Time) error {
	var err error
	d.do(func() {
		found, blocked := d.eng.EjectBlocked(serviceID, instanceID)
		switch {
		case !found:
			err = fmt.Errorf("eject %s of %s: %w", instanceID, serviceID, waiter.ErrInstanceNotFound)
		case blocked:
			err = fmt.Errorf("eject %s of %s: %w", instanceID, serviceID, waiter.ErrInstanceInUse)
		default:
			d.step(engine.Event{Kind: engine.EvEjectInstance, Service: serviceID, Instance: instanceID, Until: until})
		}
	})
	return err
}

// ExpireInstance marks an instance expired (EvExpireInstance): the
// autoscaler replaces it.
func (d *Driver) ExpireInstance(serviceID, instanceID string) error {
	var err error
	d.do(func() {
		if found, _ := d.eng.EjectBlocked(serviceID, instanceID); !found {
			err = fmt.Errorf("expire %s of %s: %w", instanceID, serviceID, waiter.ErrInstanceNotFound)
			return
		}
		d.step(engine.Event{Kind: engine.EvExpireInstance, Service: serviceID, Instance: instanceID})
	})
	return err
}

var _ waiter.InstanceOperator = (*Driver)(nil)

// ReportActivity takes use of a service seen elsewhere (external
// metrics) as activity for idle removal (EvServiceActivity).
func (d *Driver) ReportActivity(serviceID string, at time.Time) {
	d.do(func() { d.step(engine.Event{Kind: engine.EvServiceActivity, Service: serviceID, Until: at}) })
}

var _ waiter.ActivityReporter = (*Driver)(nil)
