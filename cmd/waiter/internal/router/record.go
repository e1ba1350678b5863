package router

import (
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// svcRecord is what the driver keeps of a service for its API and
// dashboard, beyond the engine's snapshot and the syncer's view (the
// scheduler's last report, recently killed instances): every rule about
// the service is the syncer's. It lives under the driver's lock.
type svcRecord struct {
	id   string
	desc *engine.Description

	// Requests as the router saw them: the engine's last activity also
	// counts starts, Waiter's last-request-time does not.
	total       uint64
	lastRequest time.Time

	// What the dashboard and /metrics show beyond the engine's snapshot
	// (counters.go, history.go, deployerrors.go).
	counters waiter.ServiceCounters
	// instances and failedIDs are the ids the last observation listed;
	// seeded is false until an adopted service's first observation, whose
	// instances were launched before this router knew the service.
	instances   map[string]seenInstance
	failedIDs   map[string]struct{}
	seeded      bool
	history     *history
	deployError string // the engine's, as last noted
}

func newRecord(d *engine.Description) *svcRecord {
	return &svcRecord{id: d.ID, desc: d, seeded: true}
}

// recordFor returns the driver's record of a service, creating it.
func (d *Driver) recordFor(desc *engine.Description) *svcRecord {
	rec := d.services[desc.ID]
	if rec == nil {
		rec = newRecord(desc)
		d.services[desc.ID] = rec
	}
	return rec
}
