package router

import (
	"context"
	"sort"

	"github.com/waiter-go/waiter/engine"
)

// pollLoop calls Observe every poll period, or at once when asked.
func (d *Driver) pollLoop(ctx context.Context) {
	t := d.clk.Timer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.pollNow:
		case <-t.C:
		}
		d.pollOnce(ctx)
		interval := d.cfg.PollInterval
		if d.urgent.Load() {
			interval = d.cfg.FastPollInterval
		}
		t.Stop()
		t.Reset(interval)
	}
}

// pollOnce observes the scheduler and hands the result to the loop.
func (d *Driver) pollOnce(ctx context.Context) {
	seq := d.pollSeq.Add(1)
	callCtx, cancel := d.clk.WithTimeout(ctx, d.cfg.CallTimeout)
	start := d.clk.Now()
	obs, err := d.sched.Observe(callCtx)
	d.metrics.schedulerCall("observe", d.clk.Since(start), err)
	cancel()
	if ctx.Err() != nil {
		return
	}
	d.do(func() { d.observed(seq, obs, err) })
}

// observed feeds one poll's result to the engine: every listed service,
// then the absence of every known service the scheduler no longer lists.
func (d *Driver) observed(seq uint64, obs map[string]engine.Observation, err error) {
	d.lastPoll = d.clk.Now()
	if err != nil {
		if err.Error() != d.pollErr { // once per distinct failure, not every poll
			d.log.Warn("observing the scheduler failed", "error", err)
		}
		d.pollErr = err.Error()
		return
	}
	d.pollErr = ""
	ids := make([]string, 0, len(obs))
	for id := range obs {
		ids = append(ids, id)
	}
	sort.Strings(ids) // deterministic event order
	for _, id := range ids {
		d.observeOne(seq, id, obs[id])
	}
	var missing []string
	for id := range d.services {
		if _, listed := obs[id]; !listed {
			missing = append(missing, id)
		}
	}
	for id := range d.tombstones {
		if _, listed := obs[id]; !listed {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	for _, id := range missing {
		d.observeOne(seq, id, engine.Observation{})
	}
}

// observeOne feeds what observation number seq said about one service.
// A service the scheduler does not list is reported gone only when no
// scheduler call for it is in flight and its creation finished before the
// observation started; otherwise the observation may simply predate it.
// A deleted service's tombstone goes once an observation made after the
// delete no longer lists it.
func (d *Driver) observeOne(seq uint64, id string, o engine.Observation) {
	rec := d.services[id]
	if rec != nil {
		if seq < rec.appliedSeq {
			return // stale: a newer observation of this service was applied
		}
		rec.appliedSeq = seq
	}
	if !o.Exists {
		if tomb := d.tombstones[id]; tomb != nil && tomb.pendingOps == 0 && tomb.deletedSeq < seq {
			delete(d.tombstones, id)
		}
		if rec == nil || !rec.existed || rec.pendingOps > 0 || rec.createdAtSeq >= seq {
			return
		}
		rec.forget()
		d.step(engine.Event{Kind: engine.EvServiceObserved, Service: id, Observation: &engine.Observation{}})
		d.noteDeploymentError(rec)
		return
	}
	if rec == nil {
		if rec = d.adopt(id); rec == nil {
			return
		}
	}
	d.noteInstances(rec, o)
	rec.observe(o)
	d.step(engine.Event{Kind: engine.EvServiceObserved, Service: id, Observation: &o, Description: rec.desc})
	d.noteDeploymentError(rec)
}

// adopt returns a record for a service the scheduler runs but the router
// does not know: never one it deleted, and only when Describe can say
// what the service is.
func (d *Driver) adopt(id string) *svcRecord {
	if _, deleted := d.tombstones[id]; deleted || d.cfg.Describe == nil {
		return nil
	}
	desc, ok := d.cfg.Describe(id)
	if !ok || desc == nil || desc.ID != id {
		return nil
	}
	rec := newRecord(desc)
	rec.seeded = false // what runs now was launched before the router knew it
	d.services[id] = rec
	return rec
}
