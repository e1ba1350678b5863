package sim

import (
	"sort"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/engine/syncer"
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
	r.q.Push(r.now+r.sc.Router.APILatency, ev{kind: evPollDone, arg: seq, rt: uint8(rt.idx), life: rt.life})
}

// endPoll feeds the syncer one observation per app, as `waiter serve`
// would, then ends poll seq, which judges the services it did not list.
// During an outage the poll fails and the engine keeps its last view.
func (r *Runner) endPoll(rt *routerState, seq uint64) {
	if r.down {
		r.applyOn(rt, rt.sync.PollDone(r.at(), seq, errMarathonDown, nil))
		return
	}
	at := r.at()
	apps := r.model.Apps()
	for i, a := range apps {
		r.warmPoll(rt, apps, i)
		obs, svc := r.observe(rt, a)
		var h *syncer.ObserveHint
		if svc >= 0 {
			for len(rt.hints) <= svc {
				rt.hints = append(rt.hints, syncer.ObserveHint{})
			}
			h = &rt.hints[svc]
		}
		r.applyOn(rt, rt.sync.ObservedHint(at, seq, a.Spec.ID, obs, nil, h))
		r.noteServingSvc(svc, a.Spec.ID)
	}
	r.applyOn(rt, rt.sync.PollDone(at, seq, nil, func(id string) bool { return r.model.App(id) != nil }))
	// What went can change only when the model ended a task or deleted
	// an app: until then the facts hold nothing to prune and every task
	// of r.tasks still runs (a task enters it running, from a poll), so
	// neither needs a walk (a few thousand map entries and a task each,
	// every poll, with many services).
	removals := r.model.Removals()
	if rt.prunedAt != removals {
		rt.prunedAt = removals
		PruneFacts(r.model, rt.facts)
	}
	if r.tasksCheckedAt == removals {
		return
	}
	r.tasksCheckedAt = removals
	// Tasks the router served that Marathon no longer lists died: requests
	// on them fail now. A task the model has not ended is listed under its
	// id (the model keeps exactly the tasks not ended), so only ended ones
	// need the lookup.
	var gone []string
	for id, ts := range r.tasks {
		if ts.mt.Ended() && r.model.Task(id) == nil {
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
				obs, _ = r.observe(rt, a)
			}
			r.applyOn(rt, rt.sync.Observed(r.at(), seq, id, obs, nil))
		}
		r.noteServing(id)
	}
	r.notified = r.notified[:0]
}

// observe maps a Marathon app to the engine's observation
// (AppObservation), registering every running task the router learns of,
// and returns it with the app's service (-1: not one of the run's).
//
// The observation is kept from poll to poll (the engine copies what it
// keeps), one per service and router, and made again only when the app
// changed (marathon.App.Rev) or when the router's own checks have
// something to add (makeObservation): with a thousand services nearly every
// poll lists nothing new, and making each app's observation again read
// every task of it (3 % of large.yaml's day). The app and its tasks cache
// the simulator's handles (App.DriverRef, Task.DriverRef), so a poll
// looks nothing up by id: a service, once known, stays known, and a
// task's state stays the one registered under its id until it dies.
func (r *Runner) observe(rt *routerState, a *marathon.App) (*engine.Observation, int) {
	svc := a.DriverRef - 1
	if svc < 0 {
		if i, known := r.byID[a.Spec.ID]; known {
			svc = i
			a.DriverRef = i + 1
		}
	}
	if svc < 0 {
		r.makeObservation(rt, a, svc, &rt.obs)
		return &rt.obs, svc
	}
	for len(rt.kept) <= svc {
		rt.kept = append(rt.kept, keptObservation{})
	}
	k := &rt.kept[svc]
	if k.settled && k.rev == a.Rev() {
		if r.opts.CheckInvariants {
			r.checkKeptObservation(rt, a, svc, &k.obs)
		}
		return &k.obs, svc
	}
	k.settled = r.makeObservation(rt, a, svc, &k.obs)
	k.rev = a.Rev()
	return &k.obs, svc
}

// makeObservation makes router rt's observation of app a (service svc,
// -1: none of the run's) into obs. It reports whether obs is settled
// (SyncerProbes): what the app alone makes of it, so it stays right
// until the app changes.
func (r *Runner) makeObservation(rt *routerState, a *marathon.App, svc int, obs *engine.Observation) bool {
	AppObservation(a, Epoch, obs, func(t *marathon.Task) uint64 {
		var ts *taskState
		if t.DriverRef != 0 {
			ts = r.taskRefs[t.DriverRef-1]
		}
		if ts == nil || r.isDead(ts) {
			// Not cached, or cached and since removed from r.tasks
			// (removal marks it dead): ask the map.
			var ok bool
			ts, ok = r.tasks[t.ID]
			if !ok && svc >= 0 {
				// Listed by its app, so not ended: it runs as of now.
				ts = &taskState{id: t.ID, mt: t, svc: int32(svc), ref: uint64(len(r.taskRefs))}
				r.taskRefs = append(r.taskRefs, ts)
				r.hot = append(r.hot, taskHot{id: t.ID, liveAt: r.model.Removals()})
				r.tasks[t.ID] = ts
			}
			if ts == nil {
				return 0
			}
			t.DriverRef = ts.ref + 1
		}
		bit := uint32(1) << uint(rt.idx)
		if t.HealthChecked && t.Alive {
			ts.toldHealthy |= bit
		} else {
			ts.toldHealthy &^= bit
		}
		return ts.ref
	})
	if r.sc.Scheduler != scenario.SchedulerMarathon {
		return true // nothing but the app goes into it
	}
	// The router's own checks of instances Marathon does not call healthy
	// yet (adapters/marathon); one it finds healthy is told healthy to
	// this router. Only those need the lookup: the ones Marathon calls
	// healthy were marked above.
	if rt.madeHealthy == nil {
		bit := uint32(1) << uint(rt.idx)
		rt.madeHealthy = func(id string) {
			if ts := r.tasks[id]; ts != nil {
				ts.toldHealthy |= bit
			}
		}
	}
	return SyncerProbes(r.model, r.now, a, obs, rt.facts, rt.madeHealthy)
}
