package sim

import (
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/engine/syncer"
	"github.com/waiter-go/waiter/sim/eventq"
	"github.com/waiter-go/waiter/sim/load"
	"github.com/waiter-go/waiter/sim/marathon"
	"github.com/waiter-go/waiter/sim/rng"
	"github.com/waiter-go/waiter/sim/scenario"
)

// Epoch is virtual time zero, as the engine sees it.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Options override a scenario's settings for one run.
type Options struct {
	// Seed replaces the scenario's seed when non-nil.
	Seed *uint64
	// Policy replaces the scenario's default policy when non-empty.
	Policy string
	// Set overrides Waiter parameters of every service ("scale-up-factor" -> 0.3).
	Set map[string]any
	// Progress, when set, is called with the fraction of virtual time done.
	Progress func(done float64)
	// OnArrival and OnCall, when set, see each request arrive and each
	// scheduler call the router makes, with their virtual time (the
	// differential test replays the arrivals through the production
	// driver and compares the calls).
	OnArrival func(at time.Duration, serviceID string)
	OnCall    func(at time.Duration, a engine.Action)
	// Arrivals, when it has an entry for a service (by its name, a copy's
	// as name-i), replays those arrival times instead of the service's
	// load: a real run's recorded arrivals (waiter-sim fidelity).
	Arrivals map[string][]time.Duration
	// RequestOverhead is added to every request's service time: what the
	// real path (proxy, connection, kitchen) adds, as calibrated on the
	// machine a simulation is compared with.
	RequestOverhead time.Duration
	// CreateOverhead is added to the latency of every call creating a
	// service: what a real router spends before a new service's instance
	// launches (waiter serve stores the description of a service its
	// first request starts, a synced write) beyond the API latency, as
	// calibrated on the machine a simulation is compared with.
	CreateOverhead time.Duration
	// CheckInvariants makes the run verify the simulator's own invariants
	// and the engine's observable ones as it goes (tests turn it on); the
	// first violation is returned as Run's error.
	CheckInvariants bool
}

type evKind uint8

const (
	evComplete evKind = iota + 1
	evWake
	evPoll
	evPollDone
	evAPI
	evFaultStart
	evFaultEnd
	evSample
	evCrash
	// Cluster of routers (cluster.go).
	evSync
	evMsg
	evMemberExpiry
)

// ev is one simulator event; a small value so the heap never allocates.
// Which fields count depends on kind: arg is a completion's request id
// or a crash's target, the index of a call, fault or message, or which
// poll an evPoll is (later announcements replace it) and which
// observation an evPollDone ends; outcome a completion's; rt and life
// name the router (and its incarnation: events of a crashed one are
// dropped) a router's own event belongs to. One argument word rather
// than a field per use keeps an ev at 16 bytes and a queued event at 32:
// each event is copied into the queue and out of it again.
type ev struct {
	kind    evKind
	outcome engine.Outcome
	rt      uint8
	life    uint16
	arg     uint64
}

// Runner holds one run's state.
type Runner struct {
	sc   *scenario.Scenario
	opts Options
	src  *rng.Source
	q    eventq.Queue[ev]
	now  time.Duration
	end  time.Duration
	// rts are the routers (one unless the scenario says routers: N), each
	// the production router's rules around its own engine; cluster.go
	// holds what joins them.
	rts     []*routerState
	cluster clusterSim
	model   *marathon.Model
	svcs    []*svcState
	byID    map[string]int
	procs   []procState
	// procFamily[p] is procs[p].family and svcTimes[s] svcs[s].times,
	// in arrays small enough to stay cached (warmNextArrival).
	procFamily []int32
	svcTimes   []*rng.Sampler
	trace      *traceState
	reqs       reqTable
	nextID     engine.RequestID
	tasks      map[string]*taskState
	// taskRefs indexes every task the router learnt of; the engine echoes
	// the index (ObservedInstance.Ref) on dispatch.
	taskRefs []*taskState
	// hot holds what a request's dispatch and end read of each task, by
	// its ref, and completed each service's completed requests
	// (Totals.Completed, filled in by syncCompleted): dense arrays rather
	// than fields of taskState and svcState, so that a request touches
	// neither (with a thousand services, a cache miss each per request).
	hot       []taskHot
	completed []int64
	calls     []apiCall
	free      []int32
	// notified are the apps the scheduler announced a change of at this
	// instant (scheduler: shell), observed once the instant's work is done.
	notified []string
	down     bool
	slow     float64
	rec      *recorder

	// serving[i]: the engine saw a healthy instance of service i at the
	// last observation (noteServing). A slice of its own rather than a
	// field of svcState: a poll reads it for every service, and svcState
	// holds a 19 KB histogram, so the field was a cache miss each.
	serving []bool

	crashes []*taskState
	arr     arrivalHeap
	lats    latencies
	// atOf and atVal cache at(); atVal starts as Epoch (atOf 0).
	atOf  time.Duration
	atVal time.Time
	// tasksCheckedAt is the model's Removals when a poll last looked
	// for tasks of r.tasks that ended (endPoll).
	tasksCheckedAt uint64
	// arriveEv and finishEv are refilled for each request's arrival and
	// end (admit, finish): the syncer neither keeps nor changes them but
	// for their time.
	arriveEv, finishEv engine.Event
	// violation is the first invariant violation seen (CheckInvariants).
	violation error
}

type reqState struct {
	svc int32
	rt  uint8 // the router the front balancer sent it to
	// live: reqTable's slot holds an unfinished request. A field here
	// rather than beside the state in the slot keeps a slot at 32 bytes.
	live bool
	life uint16 // that router's incarnation
	// task is where the request is served: noTask while it waits,
	// taskDead on an instance that no longer exists, else the task's ref
	// + 1 (r.taskRefs). An index, not a pointer: the request ring then
	// holds no pointers, so the garbage collector neither scans it nor
	// puts a write barrier on each request's store.
	task    int32
	arrived time.Duration
	dur     time.Duration // trace duration, if any
}

const (
	noTask   int32 = 0
	taskDead int32 = -1
)

// inflightOn counts the requests in flight on the task request rq is
// served by (rq.task > 0).
func (r *Runner) inflightOn(rq *reqState) *int32 { return &r.hot[rq.task-1].inflight }

// taskHot is what a dispatch reads and writes of a task, two to a cache
// line: with a thousand services the task's own state (taskState) was
// rarely cached when a request came for it, a miss per dispatch.
type taskHot struct {
	// id is the task's id (taskState.id), which a dispatch checks the
	// engine's pick against.
	id string
	// liveAt is the model's Removals() when the task was last found
	// running: while that count stays, no task ended, so this one still
	// runs (dispatch skips reading the model's task).
	liveAt   uint64
	inflight int32
	// dead: removed from Runner.tasks (killed, crashed or gone from
	// Marathon's list).
	dead bool
}

// isDead reports whether ts was removed from r.tasks.
func (r *Runner) isDead(ts *taskState) bool { return r.hot[ts.ref].dead }

// forgetTask removes ts from r.tasks and marks it dead (isDead), so that
// no dispatch goes to it and a cached handle on it asks the map again.
func (r *Runner) forgetTask(ts *taskState) {
	r.hot[ts.ref].dead = true
	delete(r.tasks, ts.id)
}

// taskState is one task the router learnt of; what a dispatch reads of
// it is in Runner.hot, under its ref.
type taskState struct {
	ref uint64
	id  string
	mt  *marathon.Task
	svc int32
	// toldHealthy has bit i set when router i's last poll reported the
	// task healthy to its engine.
	toldHealthy uint32
	served      int
}

type procState struct {
	proc   load.Process
	family int
	split  *load.Splitter
	// buf[head:n] are the process's next arrivals, drawn ahead (next);
	// ended: its Next said it has no more.
	head, n uint8
	ended   bool
	buf     [procBlock]time.Duration
}

type traceState struct {
	tr      *load.Trace
	next    load.Invocation
	ok      bool
	svcBase int
}

// Run runs sc and returns its report.
func Run(sc *scenario.Scenario, opts Options) (*Report, error) {
	r, err := newRunner(sc, opts)
	if err != nil {
		return nil, err
	}
	defer r.close()
	r.loop()
	if r.violation != nil {
		return nil, r.violation
	}
	return r.report(), nil
}

func newRunner(sc *scenario.Scenario, opts Options) (*Runner, error) {
	if err := checkOverrides(opts.Set); err != nil {
		return nil, err
	}
	seed := sc.Seed
	if opts.Seed != nil {
		seed = *opts.Seed
	}
	policy := string(sc.Policy)
	if opts.Policy != "" {
		policy = opts.Policy
	}
	root := rng.New(seed)
	r := &Runner{
		sc: sc, opts: opts, src: root, end: sc.Duration,
		byID: map[string]int{}, tasks: map[string]*taskState{},
		slow: 1, atVal: Epoch,
		arriveEv: engine.Event{Kind: engine.EvRequestArrived, QueueTimeout: sc.Router.QueueTimeout},
		finishEv: engine.Event{Kind: engine.EvRequestFinished},
	}
	for i := 0; i < max(sc.Routers, 1); i++ {
		r.rts = append(r.rts, r.newRouter(i, seed, policy))
	}
	r.model = NewModel(sc, seed, r.notify)

	if err := r.buildServices(root, policy); err != nil {
		return nil, err
	}
	r.rec = newRecorder(r)
	r.lats.init(len(r.svcs), r.trace != nil)
	r.startCluster(root)
	for _, rt := range r.rts {
		r.applyOn(rt, rt.sync.Start(r.at()))
	}
	r.q.Push(0, ev{kind: evSample})
	for i, f := range sc.Faults {
		at := f.Start
		r.q.Push(at, ev{kind: evFaultStart, arg: uint64(i)})
		if f.Duration > 0 {
			r.q.Push(at+f.Duration, ev{kind: evFaultEnd, arg: uint64(i)})
		}
	}
	// The tree of many processes' arrivals packs a time and a process in
	// a word: arrivals come before the end, the trace after the procs.
	r.arr.noTree = r.end > maxTreeAt || len(r.procs)+1 >= 1<<procBits
	for i := range r.procs {
		if at, ok := r.procs[i].next(); ok && at < r.end {
			r.arr.schedule(int32(i), at)
		}
	}
	if r.trace != nil {
		r.trace.next, r.trace.ok = r.trace.tr.Next()
		if r.trace.ok && r.trace.next.At < r.end {
			r.arr.schedule(int32(len(r.procs)), r.trace.next.At)
		}
	}
	return r, nil
}

func (r *Runner) close() {
	if r.trace != nil {
		r.trace.tr.Close()
	}
}

// loop processes events in (time, sequence) order, interleaving the
// Marathon model's own timed work, until the scenario's end.
func (r *Runner) loop() {
	nextProgress := r.end / 100
	for {
		et, ok := r.q.PeekAt()
		mt, mok := r.model.NextEvent()
		p, at, aok := r.arr.peek()
		// Marathon's own work first, then arrivals, then other events,
		// when they fall on the same instant.
		if mok && (!ok || mt <= et) && (!aok || mt <= at) && mt < r.end {
			r.now = mt
			r.model.Advance(mt)
			r.observeNotified()
			continue
		}
		if aok && (!ok || at <= et) && at < r.end {
			r.now = at
			r.arrival(p)
			if r.arr.inTree {
				r.warmNextArrival()
			}
		} else {
			if !ok || et >= r.end {
				break
			}
			r.now = et
			r.handle(r.q.PopValue())
		}
		r.observeNotified()
		if r.opts.Progress != nil && r.now >= nextProgress {
			r.opts.Progress(float64(r.now) / float64(r.end))
			nextProgress += r.end / 100
		}
	}
	r.now = r.end
	r.model.Advance(r.end)
	r.rec.sample()
	if r.opts.Progress != nil {
		r.opts.Progress(1)
	}
}

func (r *Runner) handle(e ev) {
	switch e.kind {
	case evComplete:
		r.complete(engine.RequestID(e.arg), e.outcome)
	case evWake:
		if rt := r.live(e); rt != nil && rt.wakeOn && rt.wakeAt == r.now {
			rt.wakeOn = false
			r.stepOn(rt, engine.Event{Kind: engine.EvTick})
		}
	case evPoll:
		if rt := r.live(e); rt != nil && e.arg == rt.pollGen {
			r.startPoll(rt)
		}
	case evPollDone:
		if rt := r.live(e); rt != nil {
			r.endPoll(rt, e.arg)
		}
	case evAPI:
		r.callScheduler(int32(e.arg))
	case evFaultStart:
		r.faultStart(int(e.arg))
	case evFaultEnd:
		r.faultEnd(int(e.arg))
	case evSync:
		r.syncMetrics()
	case evMsg:
		r.deliver(int32(e.arg))
	case evMemberExpiry:
		r.memberExpiry(e)
	case evSample:
		r.rec.sample()
		r.q.Push(r.now+r.rec.width, ev{kind: evSample})
	case evCrash:
		r.crashTask(engine.RequestID(e.arg))
	}
}

// at is r.now as the engine's time. It is asked for at least twice per
// request (each step through the syncer) and time.Time.Add normalises
// seconds and nanoseconds each time, so the last answer is kept.
func (r *Runner) at() time.Time {
	if r.atOf != r.now {
		r.atOf, r.atVal = r.now, atTime(r.now)
	}
	return r.atVal
}

// epochUnix is Epoch in Unix seconds (Epoch falls on a whole second).
var epochUnix = Epoch.Unix()

// atTime is Epoch.Add(d), the same Time value (TestAtTimeIsEpochAdd),
// built directly for d ≥ 0: Add checks for overflow and a monotonic
// reading, and nearly every event is a new instant (2 % of spike's time
// went to Time.Add and addSec).
func atTime(d time.Duration) time.Time {
	if d < 0 {
		return Epoch.Add(d)
	}
	return time.Unix(epochUnix+int64(d/time.Second), int64(d%time.Second)).UTC()
}

// stepOn feeds one event to router rt's engine, through the syncer's
// rules, and carries out the actions.
func (r *Runner) stepOn(rt *routerState, ev engine.Event) { r.applyOn(rt, rt.sync.Step(r.at(), ev)) }

// applyOn carries out router rt's syncer's actions. act never calls back
// into a syncer (see act), so the syncer's slice stays valid while we
// walk it.
func (r *Runner) applyOn(rt *routerState, acts []syncer.Action) {
	for i := range acts {
		r.act(rt, &acts[i])
	}
}

// stepSplit feeds a request's event to router rt's syncer by StepSplit
// and carries out the engine's actions it passed through, then its own:
// a dispatch is read where the engine wrote it, not from a copy. act
// never steps an engine, so the engine's slice stays valid meanwhile.
func (r *Runner) stepSplit(rt *routerState, e *engine.Event) {
	pass, out := rt.sync.StepSplit(r.at(), e)
	for i := range pass {
		r.actEngine(rt, &pass[i])
	}
	r.applyOn(rt, out)
}
