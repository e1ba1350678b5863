package router

import (
	"time"

	"github.com/waiter-go/waiter/engine"
)

// seenInstance is what the driver remembers of a live instance to count
// launches and measure start-up: when it was first listed, and whether
// it has been healthy since.
type seenInstance struct {
	first      time.Time
	wasHealthy bool
}

// noteInstances counts what an observation says happened since the
// previous one (before rec keeps it; loop only): instance ids listed for
// the first time are launches, failed ids not reported before are
// failures (and launches too when no observation listed them live), and an instance healthy for the first time reports its
// start-up time (from the scheduler's start time when it gives one,
// else from when the router first saw it: Waiter's launch tracker). The
// first observation of an adopted service only learns what already
// runs: those instances were launched before this router knew them.
func (d *Driver) noteInstances(rec *svcRecord, o engine.Observation) {
	now := d.clk.Now()
	count := rec.seeded
	seen := make(map[string]seenInstance, len(o.Instances))
	for _, in := range o.Instances {
		prev, known := rec.instances[in.ID]
		if !known {
			prev = seenInstance{first: now, wasHealthy: !count && in.Healthy}
			if count {
				rec.counters.Launched++
			}
		}
		if in.Healthy && !prev.wasHealthy {
			start := prev.first
			if !in.StartedAt.IsZero() && in.StartedAt.Before(start) {
				start = in.StartedAt
			}
			d.metrics.startup.Observe(now.Sub(start).Seconds())
			prev.wasHealthy = true
		}
		seen[in.ID] = prev
	}
	failed := make(map[string]struct{}, len(o.Failed))
	for _, f := range o.Failed {
		if _, known := rec.failedIDs[f.ID]; !known && count {
			rec.counters.Failed++
			if _, wasLive := rec.instances[f.ID]; !wasLive {
				// It started and failed between two observations.
				rec.counters.Launched++
			}
		}
		failed[f.ID] = struct{}{}
	}
	rec.instances, rec.failedIDs = seen, failed
	rec.seeded = true
}

// noteColdStart counts a request that has to wait (neither dispatched
// nor refused by the event that admitted it) while its service has no
// healthy instance; loop only, right after the arrival was stepped.
func (d *Driver) noteColdStart(rec *svcRecord, id engine.RequestID) {
	if r, ok := d.reqs[id]; !ok || r.dispatched || (id == d.admitting && d.admitDone) {
		return
	}
	if l, ok := d.eng.ServiceLoad(rec.id); ok && l.Healthy == 0 {
		rec.counters.ColdStarts++
	}
}
