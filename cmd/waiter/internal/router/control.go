package router

import (
	"github.com/waiter-go/waiter/engine"
)

// Start makes sure a service runs without queueing a request
// (EvStartService): token fallback starts the newest service this way
// while requests still go to the previous one. It counts as activity for
// idle removal, not as a request.
func (d *Driver) Start(desc *engine.Description) {
	if desc == nil {
		return
	}
	d.do(func() {
		d.step(engine.Event{Kind: engine.EvStartService, Service: desc.ID, Description: desc})
		if d.eng.Knows(desc.ID) {
			d.recordFor(desc)
		} else {
			d.forgetRefused(desc) // the engine refused it (a per-user limit)
		}
	})
}

// DeleteService removes a service the engine knows (EvDeleteService).
func (d *Driver) DeleteService(id string) bool {
	found := false
	d.do(func() {
		found = d.sync.Known(id)
		d.step(engine.Event{Kind: engine.EvDeleteService, Service: id})
	})
	return found
}

// Suspend refuses (EvSuspend) or accepts again (EvResume) requests.
func (d *Driver) Suspend(id string, suspended bool) {
	kind := engine.EvResume
	if suspended {
		kind = engine.EvSuspend
	}
	d.do(func() { d.step(engine.Event{Kind: kind, Service: id}) })
}

// Override gives a known service a new description with the same id.
func (d *Driver) Override(desc *engine.Description) {
	if desc == nil {
		return
	}
	// The syncer ignores a service it does not know: the next request
	// brings the overridden description.
	d.do(func() { d.step(engine.Event{Kind: engine.EvOverride, Service: desc.ID, Description: desc}) })
}

// Knows reports whether the driver has the service (it runs or is being
// started); a deleted service is not known.
func (d *Driver) Knows(id string) bool {
	known := false
	d.do(func() { known = d.sync.Known(id) })
	return known
}

// CheckCreate reports whether a request for d would be refused by a
// per-user limit (nil for a service the engine has). The HTTP edge asks
// before it stores the description of a service the router does not run
// yet, so a refused request stores nothing.
func (d *Driver) CheckCreate(desc *engine.Description) error {
	var refusal *engine.Error
	if !d.do(func() { refusal = d.eng.CheckNewService(desc) }) {
		return ErrStopped
	}
	if refusal != nil {
		return refusal
	}
	return nil
}

// forgetRefused tells Forget of a new service the engine refused: the edge
// checked first (CheckCreate) and stored its description, but another
// request took the user's last slot in between. Holding d.mu.
func (d *Driver) forgetRefused(desc *engine.Description) {
	if d.cfg.Forget == nil || desc == nil {
		return
	}
	d.ops.submit(desc.ID, func() { d.cfg.Forget(desc) })
}
