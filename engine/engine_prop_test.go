package engine

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// errNoSuchInstance is the fake scheduler's refusal of a kill.
var errNoSuchInstance = errors.New("no such instance")

// TestEngineProperties drives the engine with random event sequences
// (arrivals, finishes with every outcome, cancels, instances appearing,
// dying and changing health, scheduler results, small and large time
// jumps) against a model of the scheduler, and checks Waiter's invariants
// after every step. At the end it drains every request, checks that each
// ended exactly once, and replays the same events on a fresh engine to
// check that they give the same actions.
func TestEngineProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		w := newWorld(rt)
		rt.Repeat(rapid.StateMachineActions(w))
		w.drainAll(rt)
		w.checkReplay(rt)
		w.checkInterfacePath(rt)
	})
}

type wState uint8

const (
	wQueued wState = iota + 1
	wDispatched
	wEnded
)

type wReq struct {
	svc      string
	state    wState
	deadline time.Time
	inst     string
}

type wInst struct {
	id      string
	healthy bool
	started time.Time
	host    string
}

type wSvc struct {
	desc      *Description
	exists    bool
	requested int
	insts     []*wInst
	failed    []ObservedInstance
	// told is the health of each instance as last observed by the engine.
	told map[string]bool
}

type world struct {
	cfg     Config
	e       *Engine
	now     time.Time
	svcs    map[string]*wSvc
	ids     []string
	reqs    map[RequestID]*wReq
	nextReq RequestID
	nextIn  int
	pending []Event
	events  []Event
	actions [][]Action
}

func newWorld(t *rapid.T) *world {
	cfg := Config{Seed: rapid.Uint64().Draw(t, "seed"), DeploymentErrorMinHosts: rapid.IntRange(1, 2).Draw(t, "minHosts"),
		// A long interval puts queue timeouts and ejections before the
		// next pass: the wake-up must then be the earliest timer.
		ScalingInterval: rapid.SampledFrom([]time.Duration{time.Second, 10 * time.Second}).Draw(t, "scalingInterval")}
	w := &world{cfg: cfg, e: New(cfg), now: epoch, svcs: map[string]*wSvc{}, reqs: map[RequestID]*wReq{}}
	n := rapid.IntRange(1, 2).Draw(t, "services")
	for i := 0; i < n; i++ {
		minI := rapid.IntRange(1, 2).Draw(t, "min")
		p := Params{
			"name":                 fmt.Sprintf("svc%d", i),
			"concurrency-level":    float64(rapid.IntRange(1, 3).Draw(t, "cl")),
			"max-queue-length":     float64(rapid.IntRange(1, 4).Draw(t, "mql")),
			"min-instances":        float64(minI),
			"max-instances":        float64(minI + rapid.IntRange(0, 3).Draw(t, "extra")),
			"idle-timeout-mins":    float64(rapid.IntRange(1, 3).Draw(t, "idle")),
			"load-balancing":       rapid.SampledFrom([]string{"oldest", "youngest", "random"}).Draw(t, "lb"),
			"scale-up-factor":      rapid.SampledFrom([]float64{0.1, 0.5, 0.99}).Draw(t, "up"),
			"scale-down-factor":    rapid.SampledFrom([]float64{0.001, 0.5, 0.99}).Draw(t, "down"),
			"grace-period-secs":    float64(rapid.SampledFrom([]int{0, 5, 30}).Draw(t, "grace")),
			"instance-expiry-mins": float64(rapid.SampledFrom([]int{0, 1, 7200}).Draw(t, "expiry")),
			"scaling-policy":       rapid.SampledFrom(PolicyNames()).Draw(t, "policy"),
		}
		d := mustDesc(t, p)
		w.svcs[d.ID] = &wSvc{desc: d, told: map[string]bool{}}
		w.ids = append(w.ids, d.ID)
	}
	return w
}

// do sends one event and checks and applies the actions it returns.
func (w *world) do(t *rapid.T, ev Event) {
	ev.At = w.now
	w.events = append(w.events, ev)
	acts := append([]Action(nil), w.e.Step(ev)...)
	w.actions = append(w.actions, acts)
	for i, a := range acts {
		if a.Kind == ActWakeAt && i != len(acts)-1 {
			t.Fatalf("WakeAt is not the last action: %s", describe(acts))
		}
		w.apply(t, a)
	}
}

func (w *world) apply(t *rapid.T, a Action) {
	s := w.svcs[a.Service]
	switch a.Kind {
	case ActDispatch:
		r := w.reqs[a.Request]
		if r == nil || r.state == wDispatched || r.state == wEnded {
			t.Fatalf("request %d dispatched twice or after it ended", a.Request)
		}
		if !s.told[a.Instance] {
			t.Fatalf("request %d dispatched to %s, which the scheduler never reported healthy", a.Request, a.Instance)
		}
		in := w.e.services[a.Service].instances[a.Instance]
		if in == nil || in.ejected || in.killed || in.locked || !in.healthy {
			t.Fatalf("request %d dispatched to ejected/killed/unhealthy instance %s: %+v", a.Request, a.Instance, in)
		}
		if in.inflight > s.desc.ConcurrencyLevel {
			t.Fatalf("instance %s holds %d requests, concurrency-level %d", in.id, in.inflight, s.desc.ConcurrencyLevel)
		}
		r.state, r.inst = wDispatched, a.Instance
	case ActReject:
		r := w.reqs[a.Request]
		if r == nil || r.state == wDispatched || r.state == wEnded {
			t.Fatalf("request %d rejected after dispatch or twice", a.Request)
		}
		if a.Err == nil || a.Err.Message == "" {
			t.Fatalf("reject without an error")
		}
		r.state = wEnded
	case ActCreateService:
		s.exists, s.requested = true, a.Instances
		if a.Instances < s.desc.MinInstances || a.Instances > s.desc.MaxInstances {
			t.Fatalf("created with %d instances, outside [%d, %d]", a.Instances, s.desc.MinInstances, s.desc.MaxInstances)
		}
		w.pending = append(w.pending, Event{Kind: EvCreateResult, Service: a.Service})
	case ActScaleService:
		expired := 0
		for _, in := range w.e.services[a.Service].sorted {
			if in.expired() && !in.killed {
				expired++
			}
		}
		if a.Instances < s.desc.MinInstances || a.Instances > s.desc.MaxInstances+expired {
			t.Fatalf("scaled to %d, outside [%d, %d+%d expired]", a.Instances, s.desc.MinInstances, s.desc.MaxInstances, expired)
		}
		s.requested = a.Instances
		w.pending = append(w.pending, Event{Kind: EvScaleResult, Service: a.Service})
	case ActKillInstance:
		if !a.Replace {
			if s.requested-1 < s.desc.MinInstances {
				t.Fatalf("kill would take requested to %d, below min %d", s.requested-1, s.desc.MinInstances)
			}
			s.requested--
		}
		res := Event{Kind: EvKillResult, Service: a.Service, Instance: a.Instance, Err: errNoSuchInstance}
		for i, in := range s.insts {
			if in.id == a.Instance {
				s.insts = append(s.insts[:i], s.insts[i+1:]...)
				res.Err = nil
				break
			}
		}
		w.pending = append(w.pending, res)
	case ActDeleteService:
		for id, r := range w.reqs {
			if r.svc == a.Service && r.state != wEnded {
				t.Fatalf("service %s removed with request %d outstanding (state %d)", a.Service, id, r.state)
			}
		}
		s.exists, s.requested, s.insts, s.failed = false, 0, nil, nil
		s.told = map[string]bool{}
	}
}

func (w *world) pickSvc(t *rapid.T) *wSvc {
	return w.svcs[rapid.SampledFrom(w.ids).Draw(t, "svc")]
}

func (w *world) reqIDs(states ...wState) []RequestID {
	var ids []RequestID
	for id, r := range w.reqs {
		for _, s := range states {
			if r.state == s {
				ids = append(ids, id)
			}
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func (w *world) Arrive(t *rapid.T) {
	s := w.pickSvc(t)
	w.nextReq++
	id := w.nextReq
	timeout := rapid.SampledFrom([]time.Duration{time.Second, 5 * time.Second, 30 * time.Second}).Draw(t, "timeout")
	w.reqs[id] = &wReq{svc: s.desc.ID, state: wQueued, deadline: w.now.Add(timeout)}
	w.do(t, Event{Kind: EvRequestArrived, Service: s.desc.ID, Request: id, Description: s.desc,
		QueueTimeout: timeout, Priority: rapid.IntRange(0, 9).Draw(t, "prio") == 0})
}

func (w *world) Finish(t *rapid.T) {
	ids := w.reqIDs(wDispatched)
	if len(ids) == 0 {
		t.Skip("nothing in flight")
	}
	id := rapid.SampledFrom(ids).Draw(t, "req")
	outcome := Outcome(rapid.IntRange(0, 3).Draw(t, "outcome"))
	w.reqs[id].state = wEnded
	w.do(t, Event{Kind: EvRequestFinished, Request: id, Outcome: outcome})
}

func (w *world) Cancel(t *rapid.T) {
	ids := w.reqIDs(wQueued, wDispatched)
	if len(ids) == 0 {
		t.Skip("nothing to cancel")
	}
	id := rapid.SampledFrom(ids).Draw(t, "req")
	w.reqs[id].state = wEnded
	w.do(t, Event{Kind: EvRequestCanceled, Request: id})
}

func (w *world) observeSvc(t *rapid.T, s *wSvc) {
	obs := &Observation{Exists: s.exists, Requested: s.requested, Scheduled: len(s.insts), Failed: s.failed}
	told := map[string]bool{}
	for _, in := range s.insts {
		obs.Instances = append(obs.Instances, ObservedInstance{ID: in.id, Host: in.host, StartedAt: in.started, Healthy: in.healthy})
		told[in.id] = in.healthy
	}
	s.told = told
	w.do(t, Event{Kind: EvServiceObserved, Service: s.desc.ID, Observation: obs})
}

func (w *world) Observe(t *rapid.T) { w.observeSvc(t, w.pickSvc(t)) }

func (w *world) StartInstance(t *rapid.T) {
	s := w.pickSvc(t)
	if !s.exists || len(s.insts) >= s.requested+1 {
		t.Skip("scheduler would not start one")
	}
	w.nextIn++
	s.insts = append(s.insts, &wInst{id: fmt.Sprintf("i%d", w.nextIn), healthy: rapid.Bool().Draw(t, "healthy"),
		started: w.now, host: fmt.Sprintf("host%d", rapid.IntRange(0, 2).Draw(t, "host"))})
	w.observeSvc(t, s)
}

func (w *world) ToggleHealth(t *rapid.T) {
	s := w.pickSvc(t)
	if len(s.insts) == 0 {
		t.Skip("no instance")
	}
	in := rapid.SampledFrom(s.insts).Draw(t, "inst")
	in.healthy = !in.healthy
	w.observeSvc(t, s)
}

func (w *world) InstanceDies(t *rapid.T) {
	s := w.pickSvc(t)
	if len(s.insts) == 0 {
		t.Skip("no instance")
	}
	i := rapid.IntRange(0, len(s.insts)-1).Draw(t, "idx")
	in := s.insts[i]
	s.insts = append(s.insts[:i], s.insts[i+1:]...)
	s.failed = append(s.failed, ObservedInstance{ID: in.id, Host: in.host, HasExitCode: true,
		ExitCode: rapid.IntRange(1, 2).Draw(t, "exit"), Flags: InstanceFlags(rapid.IntRange(0, 127).Draw(t, "flags"))})
	if len(s.failed) > 4 {
		s.failed = s.failed[1:]
	}
	w.observeSvc(t, s)
}

func (w *world) DeliverResults(t *rapid.T) {
	if len(w.pending) == 0 {
		t.Skip("no results pending")
	}
	p := w.pending
	w.pending = nil
	for _, ev := range p {
		w.do(t, ev)
	}
}

func (w *world) OperatorKill(t *rapid.T) {
	s := w.pickSvc(t)
	if len(s.insts) == 0 {
		t.Skip("no instance")
	}
	in := rapid.SampledFrom(s.insts).Draw(t, "inst")
	w.do(t, Event{Kind: EvKillInstance, Service: s.desc.ID, Instance: in.id, Force: rapid.Bool().Draw(t, "force")})
}

func (w *world) StartService(t *rapid.T) {
	s := w.pickSvc(t)
	w.do(t, Event{Kind: EvStartService, Service: s.desc.ID, Description: s.desc})
}

func (w *world) Suspend(t *rapid.T) {
	w.do(t, Event{Kind: EvSuspend, Service: w.pickSvc(t).desc.ID})
}

func (w *world) Resume(t *rapid.T) {
	w.do(t, Event{Kind: EvResume, Service: w.pickSvc(t).desc.ID})
}

func (w *world) SmallJump(t *rapid.T) {
	w.now = w.now.Add(time.Duration(rapid.IntRange(0, 2000).Draw(t, "ms")) * time.Millisecond)
	w.do(t, Event{Kind: EvTick})
}

func (w *world) BigJump(t *rapid.T) {
	w.now = w.now.Add(time.Duration(rapid.IntRange(1, 20).Draw(t, "min")) * time.Minute)
	w.do(t, Event{Kind: EvTick})
}

// Check holds after every step.
func (w *world) Check(t *rapid.T) {
	// StepRef skips the timers and the scaling pass while the last
	// announced wake-up is still ahead: it must be the earliest of them.
	if !w.e.wakeStale {
		var want time.Time
		if len(w.e.timers) > 0 {
			want = w.e.timers[0].at
		}
		if len(w.e.order) > 0 && (want.IsZero() || w.e.nextScaleAt.Before(want)) {
			want = w.e.nextScaleAt
		}
		if !want.IsZero() && !want.Equal(w.e.announced) {
			t.Fatalf("announced wake-up %v, but the earliest timer or pass is at %v", w.e.announced.Sub(epoch), want.Sub(epoch))
		}
	}
	queued := map[string]int{}
	for id, r := range w.reqs {
		if r.state != wQueued {
			continue
		}
		queued[r.svc]++
		if !r.deadline.After(w.now) {
			t.Fatalf("request %d waits past its queue timeout (deadline %v, now %v)", id, r.deadline.Sub(epoch), w.now.Sub(epoch))
		}
	}
	total := 0
	for _, n := range queued {
		total += n
	}
	if w.e.Waiting() != total {
		t.Fatalf("engine counts %d waiting in all, model %d", w.e.Waiting(), total)
	}
	for id, s := range w.svcs {
		es := w.e.services[id]
		if es == nil {
			if queued[id] > 0 {
				t.Fatalf("service %s forgotten with %d queued requests", id, queued[id])
			}
			continue
		}
		if es.waiting != queued[id] {
			t.Fatalf("engine counts %d waiting for %s, model %d", es.waiting, id, queued[id])
		}
		if es.waiting > s.desc.MaxQueueLength {
			t.Fatalf("queue of %s holds %d > max-queue-length %d", id, es.waiting, s.desc.MaxQueueLength)
		}
		if es.created && (es.requested < s.desc.MinInstances) && es.observed && s.requested >= s.desc.MinInstances {
			t.Fatalf("engine requested %d below min %d", es.requested, s.desc.MinInstances)
		}
		// The scaling pass reads counts refresh keeps instead of walking
		// the instances: they must be what a walk finds.
		if c := es.counts(w.now); es.healthy != c.healthy || es.expHealthy != c.expiredHealthy || es.expUnhealthy != c.expiredUnhealthy {
			t.Fatalf("%s: kept counts healthy %d, expired %d+%d; a walk finds %d, %d+%d", id,
				es.healthy, es.expHealthy, es.expUnhealthy, c.healthy, c.expiredHealthy, c.expiredUnhealthy)
		}
		checkKeptRouting(t, id, es)
		for _, in := range es.sorted {
			if in.inflight > s.desc.ConcurrencyLevel || in.inflight < 0 {
				t.Fatalf("instance %s holds %d requests (concurrency-level %d)", in.id, in.inflight, s.desc.ConcurrencyLevel)
			}
		}
	}
}

// drainAll ends every request: time passes beyond every queue timeout and
// every dispatched request finishes.
func (w *world) drainAll(t *rapid.T) {
	w.now = w.now.Add(time.Minute)
	w.do(t, Event{Kind: EvTick})
	for _, id := range w.reqIDs(wDispatched) {
		w.reqs[id].state = wEnded
		w.do(t, Event{Kind: EvRequestFinished, Request: id})
	}
	for id, r := range w.reqs {
		if r.state != wEnded {
			t.Fatalf("request %d never ended (state %d)", id, r.state)
		}
	}
}

func (w *world) checkReplay(t *rapid.T) {
	e := New(w.cfg)
	for i, ev := range w.events {
		got := e.Step(ev)
		if len(got) == 0 && len(w.actions[i]) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, w.actions[i]) {
			t.Fatalf("replay diverged at event %d (%s): %s vs %s", i, ev.Kind, describe(got), describe(w.actions[i]))
		}
	}
}

// checkInterfacePath replays the events on an engine whose Waiter policy
// is hidden behind a wrapper, so its scaling pass takes the generic path
// (a ScaleInput through the Scaler interface, concurrency samples taken)
// rather than the direct call it makes for Waiter's own scaler: both must
// give the same actions and the same decisions after every event.
func (w *world) checkInterfacePath(t *rapid.T) {
	cfg := w.cfg
	cfg.Policies = map[string]Policy{WaiterPolicyName: wrappedWaiter{}}
	e := New(cfg)
	ref := New(w.cfg)
	for i, ev := range w.events {
		want := append([]Action(nil), ref.Step(ev)...)
		got := e.Step(ev)
		if (len(got) != 0 || len(want) != 0) && !reflect.DeepEqual(got, want) {
			t.Fatalf("interface path diverged at event %d (%s): %s vs %s", i, ev.Kind, describe(got), describe(want))
		}
		for id, rs := range ref.services {
			if es := e.services[id]; es == nil || es.lastDecision != rs.lastDecision || es.decided != rs.decided {
				t.Fatalf("event %d: decision of %s through the interface %+v, direct %+v", i, id, es.lastDecision, rs.lastDecision)
			}
		}
	}
}

// checkKeptRouting checks that what refresh counts and marks is what it
// would count and mark now: dispatch and finish keep the free slots and
// the available instances up to date by themselves, between refreshes.
func checkKeptRouting(t *rapid.T, id string, es *service) {
	if es.sortDirty {
		return // the next pick refreshes first
	}
	free, fresh := es.freeSlots, es.fresh
	avail := append([]uint64(nil), es.avail...)
	// The recount is the engine's own: where the kept state is right it
	// rewrites what is there, so the steps after this check see the
	// engine as they would have; where it is wrong, the test stops here.
	es.refresh()
	if es.freeSlots != free || es.fresh != fresh || !slices.Equal(es.avail, avail) {
		t.Fatalf("%s: kept free slots %d, fresh %d, available %b; a recount finds %d, %d, %b",
			id, free, fresh, avail, es.freeSlots, es.fresh, es.avail)
	}
}

// wrappedWaiter is Waiter's policy behind a Scaler the engine does not
// recognise.
type wrappedWaiter struct{}

func (wrappedWaiter) Name() string { return WaiterPolicyName }
func (wrappedWaiter) NewScaler(d *Description, start ScaleStart) Scaler {
	return wrappedScaler{WaiterPolicy{}.NewScaler(d, start)}
}

type wrappedScaler struct{ inner Scaler }

func (s wrappedScaler) Scale(in ScaleInput) Decision { return s.inner.Scale(in) }
