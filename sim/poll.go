package sim

import (
	"sort"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/marathon"
	"github.com/waiter-go/waiter/sim/scenario"
)

// startPoll is the router's scheduler syncer starting a poll of Marathon
// (GET /v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure) when the
// syncer announced it; Marathon answers after the API latency.
func (r *Runner) startPoll(rt *routerState) {
	if r.opts.CheckInvariants {
		r.checkCluster()
		r.checkEngine()
	}
	seq := rt.sync.PollStarted(r.at())
	r.q.Push(r.now+r.sc.Router.APILatency, ev{kind: evPollDone, gen: seq, rt: uint8(rt.idx), life: rt.life})
}

// endPoll feeds the syncer one observation per app, as `waiter serve`
// would, then ends poll seq, which judges the services it did not list.
// During an outage the poll fails and the engine keeps its last view.
func (r *Runner) endPoll(rt *routerState, seq uint64) {
	if r.down {
		r.applyOn(rt, rt.sync.PollDone(r.at(), seq, errMarathonDown, nil))
		return
	}
	for _, id := range r.model.AppIDs() {
		r.applyOn(rt, rt.sync.Observed(r.at(), seq, id, r.observe(rt, r.model.App(id)), nil))
		r.noteServing(id)
	}
	r.applyOn(rt, rt.sync.PollDone(r.at(), seq, nil, func(id string) bool { return r.model.App(id) != nil }))
	PruneFacts(r.model, rt.facts)
	// Tasks the router served that Marathon no longer lists died: requests
	// on them fail now.
	var gone []string
	for id := range r.tasks {
		if r.model.Task(id) == nil {
			gone = append(gone, id)
		}
	}
	sort.Strings(gone)
	for _, id := range gone {
		r.taskGone(id)
	}
}

// notify is the shell scheduler's announcement that app id changed
// (marathon.Config.OnChange); repeats within one instant are one.
func (r *Runner) notify(id string) {
	if n := len(r.notified); n > 0 && r.notified[n-1] == id {
		return
	}
	r.notified = append(r.notified, id)
}

// observeNotified observes each announced app at once, as the production
// driver does on a notification (ObserveService: in-process, no latency);
// the syncer numbers each observation like a poll.
func (r *Runner) observeNotified() {
	for i := 0; i < len(r.notified); i++ {
		id := r.notified[i]
		for _, rt := range r.rts {
			if !rt.up {
				continue
			}
			seq := rt.sync.ObservationStarted(r.at())
			obs := &engine.Observation{}
			if a := r.model.App(id); a != nil {
				obs = r.observe(rt, a)
			}
			r.applyOn(rt, rt.sync.Observed(r.at(), seq, id, obs, nil))
		}
		r.noteServing(id)
	}
	r.notified = r.notified[:0]
}

// observe maps a Marathon app to the engine's observation
// (AppObservation), registering every running task the router learns of.
//
// The observation is reused from poll to poll: the engine copies what it
// keeps, so polling allocates nothing once the buffers have grown.
func (r *Runner) observe(rt *routerState, a *marathon.App) *engine.Observation {
	svc, known := r.byID[a.Spec.ID]
	AppObservation(a, Epoch, &rt.obs, func(t *marathon.Task) uint64 {
		ts, ok := r.tasks[t.ID]
		if !ok && known {
			ts = &taskState{id: t.ID, mt: t, svc: int32(svc), ref: uint64(len(r.taskRefs))}
			r.taskRefs = append(r.taskRefs, ts)
			r.tasks[t.ID] = ts
		}
		if ts == nil {
			return 0
		}
		bit := uint32(1) << uint(rt.idx)
		if t.HealthChecked && t.Alive {
			ts.toldHealthy |= bit
		} else {
			ts.toldHealthy &^= bit
		}
		return ts.ref
	})
	if r.sc.Scheduler == scenario.SchedulerMarathon {
		// The router's own checks of instances Marathon does not call
		// healthy yet (adapters/marathon); one it finds healthy is told
		// healthy to this router.
		SyncerProbes(r.model, r.now, a, &rt.obs, rt.facts)
		bit := uint32(1) << uint(rt.idx)
		for i := range rt.obs.Instances {
			if in := &rt.obs.Instances[i]; in.Healthy {
				if ts := r.tasks[in.ID]; ts != nil {
					ts.toldHealthy |= bit
				}
			}
		}
	}
	return &rt.obs
}
