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
			d.recordFor(desc) // not for a service the engine refused (see arrive)
		} else {
			d.forgetRefused(desc)
		}
	})
}

// DeleteService removes a service the engine knows (EvDeleteService).
func (d *Driver) DeleteService(id string) bool {
	found := false
	d.call(func() {
		if d.services[id] == nil {
			return
		}
		found = true
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
	d.call(func() { d.step(engine.Event{Kind: kind, Service: id}) })
}

// Override gives a known service a new description with the same id.
func (d *Driver) Override(desc *engine.Description) {
	if desc == nil {
		return
	}
	d.call(func() {
		rec := d.services[desc.ID]
		if rec == nil {
			return // the next request brings the overridden description
		}
		rec.desc = desc
		d.step(engine.Event{Kind: engine.EvOverride, Service: desc.ID, Description: desc})
	})
}

// Knows reports whether the driver has the service (it runs or is being
// started); a deleted service is not known.
func (d *Driver) Knows(id string) bool {
	known := false
	d.call(func() { known = d.services[id] != nil })
	return known
}

// CheckCreate reports whether a request for d would be refused by a
// per-user limit (nil for a service the engine has). The HTTP edge asks
// before it stores the description of a service the router does not run
// yet, so a refused request stores nothing.
func (d *Driver) CheckCreate(desc *engine.Description) error {
	var refusal *engine.Error
	if !d.call(func() { refusal = d.eng.CheckNewService(desc) }) {
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
