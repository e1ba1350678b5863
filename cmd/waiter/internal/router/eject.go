package router

import (
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// ejectLocked answers a peer's eject: holding mu.
func (d *Driver) ejectLocked(from, service, instance, reason string) error {
	snap, ok := d.eng.Service(service)
	if !ok {
		return nil
	}
	for _, in := range snap.Instances {
		if in.ID == instance && in.InFlight > 0 && reason != "killed" {
			return waiter.ErrInstanceInUse
		}
	}
	return nil
}

// killCandidateLocked chooses this router's instance for a delegated
// kill: holding mu.
func (d *Driver) killCandidateLocked(from, service string) (string, error) {
	return "", waiter.ErrNothingToKill
}

// slotOfferedLocked: holding mu.
func (d *Driver) slotOfferedLocked(from, service, instance string) {
	d.releaseSlot(from, service, instance, engine.OutcomeClientError)
}

// slotReleasedLocked: holding mu.
func (d *Driver) slotReleasedLocked(from, service, instance string, outcome engine.Outcome) {}

// releaseSlot gives a lent slot back to its router, off the lock.
func (d *Driver) releaseSlot(router, service, instance string, outcome engine.Outcome) {
	if d.cfg.Peers == nil {
		return
	}
	go func() {
		ctx, cancel := d.clk.WithTimeout(d.opCtx, d.cfg.CallTimeout)
		defer cancel()
		if err := d.cfg.Peers.ReleaseSlot(ctx, router, service, instance, outcome); err != nil {
			d.log.Debug("giving back a lent slot", "router", router, "service-id", service, "instance-id", instance, "error", err)
		}
	}()
}
