package router

import (
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// svcRecord is what the driver knows of a service that the engine does
// not: the engine's snapshot (engine.Engine.Service) is the source of
// everything else the API shows. It lives on the driver goroutine only.
type svcRecord struct {
	id string
	// desc is what the driver gave the engine, passed again with every
	// observation so the engine could adopt the service if it had to.
	desc *engine.Description

	// Requests as the router saw them: the engine's last activity also
	// counts starts, Waiter's last-request-time does not.
	total       uint64
	lastRequest time.Time

	// lastObs is the scheduler's latest view. The engine keeps health-check
	// statuses and flags of live instances but does not put them in its
	// snapshot, and forgets a killed instance once the scheduler stops
	// listing it; the API shows both from here.
	lastObs engine.Observation
	// killed are the instances killed recently, newest last (Waiter shows
	// up to ten).
	killed []engine.ObservedInstance

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

	// What decides whether a poll that does not list the service means
	// the scheduler lost it (see observeOne).
	observed     bool   // an observation listed it since the last loss
	existed      bool   // the scheduler created or reported the service
	pendingOps   int    // scheduler calls in flight
	createdAtSeq uint64 // poll sequence number when its create succeeded
	// appliedSeq is the sequence number of the newest observation fed to
	// the engine: a full poll and a per-service observation run
	// concurrently, and the one that started earlier must not overwrite a
	// newer view when it finishes later.
	appliedSeq uint64
}

func newRecord(d *engine.Description) *svcRecord {
	return &svcRecord{id: d.ID, desc: d, seeded: true}
}

// observe keeps the scheduler's view of a service that exists.
func (r *svcRecord) observe(o engine.Observation) {
	r.lastObs, r.observed, r.existed = o, true, true
}

// forget drops the scheduler's view after the scheduler lost the service.
func (r *svcRecord) forget() {
	r.lastObs, r.observed, r.existed = engine.Observation{}, false, false
}

// observedInstance returns the scheduler's last report of a live instance.
func (r *svcRecord) observedInstance(id string) (engine.ObservedInstance, bool) {
	for _, oi := range r.lastObs.Instances {
		if oi.ID == id {
			return oi, true
		}
	}
	return engine.ObservedInstance{}, false
}

// rememberKilled records a killed instance as last observed.
func (r *svcRecord) rememberKilled(id string) {
	oi, ok := r.observedInstance(id)
	if !ok {
		oi = engine.ObservedInstance{ID: id}
	}
	r.counters.Killed++
	r.killed = append(r.killed, oi)
	if len(r.killed) > maxRemembered {
		r.killed = r.killed[len(r.killed)-maxRemembered:]
	}
}
