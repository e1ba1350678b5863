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
	d.do(func() { d.step(engine.Event{Kind: engine.EvStartService, Service: desc.ID, Description: desc}) })
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
