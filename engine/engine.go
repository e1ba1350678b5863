package engine

import (
	"sort"
	"time"
)

// Engine is the pure state machine. It is not safe for concurrent use:
// drivers serialise calls to Step.
type Engine struct {
	cfg Config
	now time.Time
	rng splitmix64

	services map[string]*service
	// users holds each run-as-user's services, for the per-user limits.
	users map[string]map[*service]struct{}
	// last caches the most recently looked-up service: drivers tend to
	// send runs of events for one service, and a hit skips hashing a
	// long id (string equality short-circuits on identical pointers).
	last *service
	// order lists services by id so that passes over all services are
	// deterministic.
	order []*service
	// added counts the services ever added (ServicesAdded).
	added uint64

	requests reqMap
	// waiting counts queued requests over all services (Waiting).
	waiting int
	seq     uint64
	// observation numbers scheduler observations (instance.seen).
	observation uint64

	timers   timerHeap
	timerSeq uint64

	// cluster is nil for a router alone (cluster_engine.go).
	cluster *clusterState

	lastScaleAt time.Time
	nextScaleAt time.Time
	announced   time.Time
	// wakeStale is set by whatever changes the next wake-up (a timer
	// pushed or popped, a scaling pass scheduled, a service added or
	// removed): until then announced is still the earliest of the
	// timers and the next pass, so a step before it has nothing due and
	// announceWake nothing to recompute (two thirds of a request's
	// steps were spent on these time comparisons).
	wakeStale bool

	out []Action
}

// reqRecord is the engine's record of an unfinished request. A queued
// request's timeout lives in its queue entry (queueEntry), the only place
// that reads it: with it (and a priority flag nothing read) a record was
// 64 bytes and a reqMap slot, with the id and the map's flag, 80; now
// 56 and 64, one cache line.
type reqRecord struct {
	svc      *service
	inst     *instance
	seq      uint64
	deadline time.Time // a queued request's
	queued   bool
	// live is reqMap's: its slot holds an unfinished request. Kept here,
	// in the record's padding, rather than in reqSlot, where it would
	// take a word of its own.
	live bool
}

// New returns an engine with cfg (zero fields take Waiter's defaults).
func New(cfg Config) *Engine {
	cfg = cfg.withDefaults()
	return &Engine{
		cfg:      cfg,
		rng:      splitmix64{state: cfg.Seed},
		services: map[string]*service{},
		users:    map[string]map[*service]struct{}{},
	}
}

// Config returns the engine's configuration with defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// Waiting returns how many requests wait for an instance, over all
// services: drivers poll the scheduler faster while any does.
func (e *Engine) Waiting() int { return e.waiting }

// Now returns the time of the latest event seen.
func (e *Engine) Now() time.Time { return e.now }

// Step applies one event and returns the actions the driver must carry out,
// in order (see Action for the ordering contract). The returned slice is
// owned by the engine and valid only until the next call to Step.
//
// Before handling the event itself, Step moves the engine's clock to
// ev.At and does everything that became due: queue timeouts, ends of
// ejections, and the scaling pass when a scaling interval has elapsed.
func (e *Engine) Step(ev Event) []Action { return e.StepRef(&ev) }

// StepRef is Step with the event passed by pointer: an Event is ~200
// bytes, and a driver stepping twice per request (the simulator) copied
// it at each call. StepRef neither keeps nor changes *ev.
func (e *Engine) StepRef(ev *Event) []Action {
	e.out = e.out[:0]
	if ev.At.After(e.now) {
		e.now = ev.At
	}
	// reached: the announced wake-up is due. Neither e.now nor
	// e.announced changes before announceWake, so the test after the
	// event reuses it rather than compare the two times again (the
	// request path's time comparisons were a third of its samples).
	reached := !e.now.Before(e.announced)
	if e.wakeStale || reached {
		e.fireTimers()
	}
	switch ev.Kind {
	case EvTick:
	case EvRequestArrived:
		e.arrive(ev)
	case EvRequestFinished:
		e.finish(ev.Request, ev.Outcome)
	case EvRequestCanceled:
		e.cancel(ev.Request)
	case EvServiceObserved:
		e.observe(*ev)
	case EvScaleResult:
		e.scaleResult(*ev)
	case EvKillResult:
		e.killResult(*ev)
	case EvCreateResult:
		e.createResult(*ev)
	case EvDeleteService:
		if svc := e.services[ev.Service]; svc != nil {
			e.removeService(svc, ReasonServiceDeleted, "deleted by request")
		}
	case EvSuspend, EvResume:
		e.setSuspended(ev.Service, ev.Kind == EvSuspend)
	case EvOverride:
		e.override(*ev)
	case EvStartService:
		e.start(*ev)
	case EvKillInstance:
		e.operatorKill(*ev)
	case EvServiceStale:
		if svc := e.lookup(ev.Service); svc != nil {
			svc.staleAt = ev.Until
		}
	case EvEjectInstance:
		e.operatorEject(*ev)
	case EvExpireInstance:
		e.operatorExpire(*ev)
	case EvServiceActivity:
		if svc := e.lookup(ev.Service); svc != nil {
			at := ev.Until
			if at.After(e.now) {
				at = e.now
			}
			if at.After(svc.lastActivity) {
				svc.lastActivity = at
			}
		}
	case EvClusterChanged:
		e.clusterChanged(ev.Cluster)
	case EvPeerCounters:
		e.peerCounters(ev.Peer)
		e.stealingPass() // what peers need arrives with their counters
	case EvEjectResult:
		e.ejectResult(*ev)
	case EvEjectRequested:
		e.ejectRequested(*ev)
	case EvKillDelegated:
		e.killDelegated(*ev)
	case EvKillCandidate:
		e.killCandidate(*ev)
	case EvSlotOffered:
		e.slotOffered(*ev)
	case EvSlotReleased:
		e.slotReleased(*ev)
	}
	if (e.wakeStale || reached) && !e.nextScaleAt.After(e.now) && len(e.order) > 0 {
		e.scalingPass()
	}
	if e.wakeStale { // checked here too: announceWake is not inlined
		e.announceWake()
	}
	return e.out
}

func (e *Engine) emit(a Action) { e.out = append(e.out, a) }

// lookup returns the service with id, or nil.
func (e *Engine) lookup(id string) *service {
	if l := e.last; l != nil && l.id == id && !l.removed {
		return l
	}
	svc := e.services[id]
	if svc != nil {
		e.last = svc
	}
	return svc
}

// announceWake emits ActWakeAt when the next time the engine needs to act
// differs from the one last announced.
func (e *Engine) announceWake() {
	if !e.wakeStale {
		return
	}
	e.wakeStale = false
	var next time.Time
	if len(e.timers) > 0 {
		next = e.timers[0].at
	}
	if len(e.order) > 0 {
		if e.nextScaleAt.IsZero() {
			e.nextScaleAt = e.now.Add(e.cfg.ScalingInterval)
		}
		if next.IsZero() || e.nextScaleAt.Before(next) {
			next = e.nextScaleAt
		}
	}
	if next.IsZero() || next.Equal(e.announced) {
		return
	}
	e.announced = next
	e.emit(Action{Kind: ActWakeAt, At: next})
}

// NextWake returns the time of the latest ActWakeAt (zero if none).
func (e *Engine) NextWake() time.Time { return e.announced }

func (e *Engine) addService(d *Description) *service {
	svc := &service{
		id:           d.ID,
		owner:        e,
		instances:    map[string]*instance{},
		lastActivity: e.now,
		clustered:    e.cluster != nil,
	}
	svc.setDesc(d)
	svc.policy = d.ScalingPolicy
	if _, ok := e.cfg.Policies[svc.policy]; !ok {
		svc.policy = e.cfg.DefaultPolicy
	}
	e.services[d.ID] = svc
	e.added++
	e.trackUser(svc)
	i := sort.Search(len(e.order), func(i int) bool { return e.order[i].id >= d.ID })
	e.wakeStale = true // the first service starts the scaling passes
	e.order = append(e.order, nil)
	copy(e.order[i+1:], e.order[i:])
	e.order[i] = svc
	return svc
}

// removeService forgets svc, rejects its queued requests and tells the
// scheduler to delete it. In-flight requests finish normally.
func (e *Engine) removeService(svc *service, reason Reason, why string) {
	e.rejectAllQueued(svc, &Error{Code: CodeUnavailable, Reason: reason, Message: MsgServiceDeleted})
	svc.removed = true
	delete(e.services, svc.id)
	e.untrackUser(svc)
	i := sort.Search(len(e.order), func(i int) bool { return e.order[i].id >= svc.id })
	if i < len(e.order) && e.order[i] == svc {
		e.order = append(e.order[:i], e.order[i+1:]...)
		e.wakeStale = true
	}
	e.emit(Action{Kind: ActDeleteService, Service: svc.id, Why: why})
}

// createService asks for the service's first instances. Not inlined, for
// the reason rejectNew is not: it runs once per service, and its Action
// would sit in arrive's frame.
//
//go:noinline
func (e *Engine) createService(svc *service) {
	svc.created = true
	svc.requested = svc.desc.MinInstances
	e.emit(Action{Kind: ActCreateService, Service: svc.id, Description: svc.desc,
		Instances: svc.desc.MinInstances, Why: "first request for the service"})
}

func (e *Engine) createResult(ev Event) {
	svc := e.services[ev.Service]
	if svc == nil || ev.Err == nil {
		return
	}
	svc.created = false
	svc.createRetry = e.now.Add(e.cfg.CreateRetryInterval)
}

func (e *Engine) setSuspended(id string, suspended bool) {
	svc := e.services[id]
	if svc == nil {
		return
	}
	svc.suspended = suspended
	if suspended {
		e.rejectAllQueued(svc, &Error{Code: CodeUnavailable, Reason: ReasonSuspended, Message: MsgSuspended})
	}
}

func (e *Engine) override(ev Event) {
	svc := e.services[ev.Service]
	if svc == nil || ev.Description == nil || ev.Description.ID != svc.id {
		return
	}
	svc.setDesc(ev.Description)
	if p := ev.Description.ScalingPolicy; p != "" && p != svc.policy {
		if _, ok := e.cfg.Policies[p]; ok {
			svc.policy = p
			svc.scaler = nil
			svc.sampleNext = time.Time{}
		}
	}
	svc.sortDirty = true
	svc.refresh()
	if svc.clustered {
		svc.distIDs = svc.distIDs[:0] // the concurrency level may have changed
		e.redistribute(svc)
	}
	e.drain(svc)
}

// start makes sure a service exists without admitting a request.
func (e *Engine) start(ev Event) {
	svc := e.lookup(ev.Service)
	if svc == nil {
		if ev.Description == nil || ev.Description.ID != ev.Service {
			return
		}
		if e.admitNewService(ev.Description) != nil {
			return // nothing waits on a start: the next request hears why
		}
		svc = e.addService(ev.Description)
	}
	svc.lastActivity = e.now
	if !svc.created && !e.now.Before(svc.createRetry) {
		e.createService(svc)
	}
}

// operatorKill stops routing to one instance and asks the scheduler to
// kill and replace it.
func (e *Engine) operatorKill(ev Event) {
	svc := e.lookup(ev.Service)
	if svc == nil {
		return
	}
	in := svc.instances[ev.Instance]
	if in == nil || in.killed || in.locked {
		return
	}
	in.locked = true
	svc.refresh()
	e.emit(Action{Kind: ActKillInstance, Service: svc.id, Instance: in.id, Force: ev.Force, Replace: true,
		Why: "operator request"})
}
