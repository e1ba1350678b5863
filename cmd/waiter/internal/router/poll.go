package router

import (
	"context"
	"sort"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// pollLoop observes the scheduler whenever the syncer says a poll is due
// (syncer.ActPollAt: every poll period, faster while requests wait, at
// once after a scheduler call).
func (d *Driver) pollLoop(ctx context.Context) {
	for {
		run, ok := d.awaitPoll(ctx)
		if !ok {
			return
		}
		if run {
			d.pollOnce(ctx)
		}
	}
}

// awaitPoll waits until the announced poll is due (run) or the schedule
// changes (not run); ok is false once the driver stops.
func (d *Driver) awaitPoll(ctx context.Context) (run, ok bool) {
	var at time.Time
	due := false
	if !d.do(func() { at, due = d.sync.NextPoll() }) {
		return false, false
	}
	var fire <-chan time.Time
	if due {
		t := d.clk.Timer(max(at.Sub(d.clk.Now()), 0))
		defer t.Stop()
		fire = t.C
	}
	select {
	case <-ctx.Done():
		return false, false
	case <-d.pollNow:
		return false, true
	case <-fire:
		return true, true
	}
}

// wakePoller tells the poller that the next poll time changed.
func (d *Driver) wakePoller() {
	select {
	case d.pollNow <- struct{}{}:
	default:
	}
}

// pollOnce observes the scheduler and hands the result to the syncer.
func (d *Driver) pollOnce(ctx context.Context) {
	d.polling.Lock()
	defer d.polling.Unlock()
	var seq uint64
	if !d.do(func() { seq = d.sync.PollStarted(d.clk.Now()) }) {
		return
	}
	callCtx, cancel := d.clk.WithTimeout(ctx, d.cfg.CallTimeout)
	obs, err := guardedCall(d, "observe", func() (map[string]engine.Observation, error) { return d.sched.Observe(callCtx) })
	cancel()
	if ctx.Err() != nil {
		return
	}
	d.do(func() { d.observed(seq, obs, err) })
}

// observed hands one poll's result to the syncer: every listed service,
// then the end of the poll, which judges the services it did not list.
func (d *Driver) observed(seq uint64, obs map[string]engine.Observation, err error) {
	d.lastPoll = d.clk.Now()
	if err != nil {
		if err.Error() != d.pollErr { // once per distinct failure, not every poll
			d.log.Warn("observing the scheduler failed", "error", err)
		}
		d.pollErr = err.Error()
	} else {
		d.pollErr = ""
		ids := make([]string, 0, len(obs))
		for id := range obs {
			ids = append(ids, id)
		}
		sort.Strings(ids) // deterministic event order
		for _, id := range ids {
			d.observeOne(seq, id, obs[id])
		}
	}
	d.apply(d.sync.PollDone(d.clk.Now(), seq, err, func(id string) bool { _, ok := obs[id]; return ok }))
	if err == nil {
		for id, rec := range d.services {
			if _, listed := obs[id]; !listed {
				d.noteDeploymentError(rec) // a lost service's, if the syncer reported the loss
			}
		}
	}
}

// observeOne hands what observation number seq said about one service to
// the syncer, with the description of a service it would adopt (the
// driver's I/O: Config.Describe reads the store), then notes for the
// dashboard what the observation, if applied, says happened.
func (d *Driver) observeOne(seq uint64, id string, o engine.Observation) {
	var desc *engine.Description
	if o.Exists && d.cfg.Describe != nil && d.sync.Adoptable(id) {
		if dd, ok := d.cfg.Describe(id); ok {
			desc = dd
		}
	}
	d.apply(d.sync.Observed(d.clk.Now(), seq, id, &o, desc))
	if !d.sync.Applied(id, seq) {
		return
	}
	rec := d.services[id]
	if rec == nil {
		if desc == nil {
			return
		}
		rec = d.recordFor(desc)
		rec.seeded = false // what runs now was launched before the router knew it
	}
	if o.Exists {
		d.noteInstances(rec, o)
	}
	d.noteDeploymentError(rec)
}
