package router

import (
	"github.com/waiter-go/waiter"
	"time"
)

// ejectLocked answers a peer's eject: holding mu.
func (d *Driver) ejectLocked(service, instance string, period time.Duration, reason string) error {
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

// killOneLocked chooses this router's instance for a delegated kill:
// holding mu.
func (d *Driver) killOneLocked(service string) (string, error) {
	return "", waiter.ErrNothingToKill
}
