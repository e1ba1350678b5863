package router

import (
	"context"
	"fmt"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// KillInstance is an operator's kill (POST /apps/{id}/instance/{iid}/kill).
// EvKillInstance makes the engine stop routing to the instance at once and
// emit ActKillInstance with Replace set; killInstance then kills it at the
// scheduler and asks for the service's count again, so a replacement
// starts. KillInstance returns once those scheduler calls are done; if ctx
// ends first the kill still goes on.
func (d *Driver) KillInstance(ctx context.Context, serviceID, instanceID string) error {
	result := make(chan error, 1)
	var refused error
	if !d.call(func() { refused = d.operatorKill(serviceID, instanceID, result) }) {
		return ErrStopped
	}
	if refused != nil {
		return fmt.Errorf("router: kill %s of %s: %w", instanceID, serviceID, refused)
	}
	select {
	case err := <-result:
		if err != nil {
			return fmt.Errorf("router: kill %s of %s: %w", instanceID, serviceID, err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-d.quit:
		return ErrStopped
	}
}

// operatorKill steps EvKillInstance with result waiting for the kill; it
// says why when the engine emits no kill.
func (d *Driver) operatorKill(service, instance string, result chan error) error {
	key := instanceKey{service, instance}
	if _, busy := d.kills[key]; busy {
		return waiter.ErrInstanceBeingKilled
	}
	d.kills[key] = result
	d.step(engine.Event{Kind: engine.EvKillInstance, Service: service, Instance: instance})
	if _, unclaimed := d.kills[key]; !unclaimed {
		return nil // killInstance took it
	}
	delete(d.kills, key)
	if snap, ok := d.eng.Service(service); ok {
		for _, in := range snap.Instances {
			if in.ID == instance {
				return waiter.ErrInstanceBeingKilled // locked by a scale-down kill, or killed already
			}
		}
	}
	return waiter.ErrInstanceNotFound
}

// killInstance carries out ActKillInstance. The scheduler port's
// KillInstance decrements the requested count (Marathon's scale=true), which
// is what a scale-down kill wants. An operator kill (Replace) must keep the
// count, so the driver asks for the engine's count again right after the
// kill, in the same job: the op queue runs nothing else for the service in
// between, and the count is the one the engine held when it emitted the
// kill, which already includes every scale emitted before it. The scale is
// forced because on Marathon the kill itself starts a deployment that
// would refuse a plain scale.
func (d *Driver) killInstance(a engine.Action) {
	key := instanceKey{a.Service, a.Instance}
	result := d.kills[key]
	delete(d.kills, key)
	rec := d.services[a.Service]
	if rec == nil {
		if result != nil {
			result <- waiter.ErrInstanceNotFound
		}
		return
	}
	restore := -1
	if a.Replace {
		if l, ok := d.eng.ServiceLoad(a.Service); ok {
			restore = l.Requested
		}
	}
	rec.pendingOps++
	d.submit(a.Service, func(ctx context.Context) error {
		err := d.schedCall("kill", a.Service, func() error { return d.sched.KillInstance(ctx, a.Service, a.Instance) })
		if err != nil || restore < 0 {
			return err
		}
		// A failed rescale does not undo the kill: the next observation
		// shows the engine the lower count and the autoscaler restores
		// what the load needs (schedCall has logged the failure).
		_ = d.schedCall("scale", a.Service, func() error { return d.sched.ScaleService(ctx, a.Service, restore, true) })
		return nil
	}, func(err error) {
		rec.pendingOps--
		if err == nil {
			rec.rememberKilled(a.Instance)
		}
		if result != nil {
			result <- err
		}
		d.step(engine.Event{Kind: engine.EvKillResult, Service: a.Service, Instance: a.Instance, Err: errText(err)})
	})
}
