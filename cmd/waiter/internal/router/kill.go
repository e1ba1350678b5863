package router

import (
	"context"
	"errors"
	"fmt"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine/syncer"
)

// KillInstance is an operator's kill (POST /apps/{id}/instance/{iid}/kill).
// The syncer steps EvKillInstance: the engine stops routing to the
// instance at once and asks for a kill with Replace, which the scheduler
// carries out keeping the requested count, so a replacement starts.
// KillInstance returns once that scheduler call is done; if ctx ends
// first the kill still goes on.
func (d *Driver) KillInstance(ctx context.Context, serviceID, instanceID string) error {
	result := make(chan error, 1)
	var refused error
	if !d.do(func() { refused = d.operatorKill(serviceID, instanceID, result) }) {
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

// operatorKill asks the syncer for the kill with result waiting for its
// scheduler call, and maps a refusal to the HTTP edge's errors.
func (d *Driver) operatorKill(service, instance string, result chan error) error {
	key := instanceKey{service, instance}
	if _, busy := d.kills[key]; busy {
		return waiter.ErrInstanceBeingKilled
	}
	d.kills[key] = result
	acts, err := d.sync.OperatorKill(d.clk.Now(), service, instance, false)
	d.apply(acts) // the kill's scheduler call takes result
	if err == nil {
		return nil
	}
	delete(d.kills, key)
	if errors.Is(err, syncer.ErrKillInProgress) {
		return waiter.ErrInstanceBeingKilled
	}
	return waiter.ErrInstanceNotFound
}
