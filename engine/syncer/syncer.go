package syncer

import (
	"time"

	"github.com/waiter-go/waiter/engine"
)

// Config holds the syncer's settings. Zero fields take the defaults.
type Config struct {
	// PollInterval is how often the scheduler is observed while no
	// request waits for an instance.
	PollInterval time.Duration
	// FastPollInterval is the period while requests wait, so a cold start
	// is served soon after the scheduler reports the instance healthy.
	FastPollInterval time.Duration
	// ForceKillAfter: once kills of a service have failed this long (a
	// deployment keeps a Marathon app locked), kills are forced
	// (Waiter's :force-kill-after-ms).
	ForceKillAfter time.Duration
	// KeepViews makes the syncer keep each service's last observation and
	// its recently killed instances for the driver's API (View). The
	// caller must then not modify an observation once it passed it.
	KeepViews bool
}

// Defaults for Config.
const (
	DefaultPollInterval     = 2 * time.Second
	DefaultFastPollInterval = 200 * time.Millisecond
	DefaultForceKillAfter   = 60 * time.Second
	// MaxKilled bounds the killed instances kept per service (Waiter
	// shows up to ten).
	MaxKilled = 10
)

func (c Config) withDefaults() Config {
	if c.PollInterval <= 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.FastPollInterval <= 0 {
		c.FastPollInterval = DefaultFastPollInterval
	}
	if c.ForceKillAfter <= 0 {
		c.ForceKillAfter = DefaultForceKillAfter
	}
	return c
}

// ActionKind says what an Action asks of the driver.
type ActionKind uint8

const (
	// ActEngine: carry out Engine, an engine action (dispatch, reject,
	// wake-up) or, when Call is set, a scheduler call; report the call's
	// outcome with CallDone(Call, err).
	ActEngine ActionKind = iota + 1
	// ActPollAt: observe the whole scheduler at or after At (PollStarted,
	// then Observed per service and PollDone). Each replaces the previous.
	ActPollAt
)

// Action is one instruction to the driver.
type Action struct {
	Kind   ActionKind
	Engine engine.Action
	// Call numbers a scheduler call (a create, scale, kill or delete).
	Call uint64
	// At is when to poll (ActPollAt).
	At time.Time
}

// Syncer wraps an engine with the rules above. It is not safe for
// concurrent use: drivers serialise calls, as they do for the engine.
type Syncer struct {
	eng *engine.Engine
	cfg Config

	services map[string]*record
	// last caches the most recently looked-up record: drivers send runs
	// of events for one service, and a hit skips hashing a long id.
	last       *record
	tombstones map[string]*tombstone
	calls      map[uint64]pendingCall
	lastCall   uint64
	// seq numbers observations as they start.
	seq uint64
	// buriedSeq is the number of the newest observation that removed a
	// tombstone (found a deleted service gone). One that started before
	// it may still list that service's deleted incarnation, so it adopts
	// nothing, and records made from now on do not take it (appliedSeq).
	buriedSeq uint64

	poll   pollState
	urgent bool
	out    []Action

	// listedPoll and listedCount: listedCount of the records in services
	// have listedSeq == listedPoll, at most (noteListed counts a record
	// once, forget uncounts it). When a poll's count reaches every
	// record, PollDone knows none is missing without walking them all.
	listedPoll  uint64
	listedCount int
}

// record is what the syncer knows of a service the engine knows.
type record struct {
	id string
	// owner and gone validate a driver's ObserveHint: the record is this
	// syncer's and still its record of id (forget sets gone).
	owner *Syncer
	gone  bool
	// desc is passed with every observation, so the engine could adopt
	// the service again if it had to.
	desc *engine.Description

	observed     bool   // an observation listed it since the last loss
	existed      bool   // the scheduler created or reported the service
	pendingOps   int    // scheduler calls in flight
	createdAtSeq uint64 // the newest observation number when its create succeeded
	appliedSeq   uint64 // the number of the newest observation applied
	// listedSeq is the number of the last observation that listed the
	// service (PollDone then need not ask the driver).
	listedSeq uint64
	// held numbers the scheduler calls (the create first) of a service
	// re-created while the scheduler may still list its deleted
	// incarnation (a tombstone), in order; they reach the driver once the
	// tombstone goes (release).
	held []uint64
	// killFailingSince is when kills of the service started failing.
	killFailingSince time.Time

	// With Config.KeepViews: the scheduler's latest view and the
	// instances killed recently, newest last.
	lastObs engine.Observation
	killed  []engine.ObservedInstance
}

// tombstone keeps a deleted service from being adopted again, and a
// re-created one from seeing the deleted incarnation, while the scheduler
// may still list it.
type tombstone struct {
	pendingOps int
	deletedSeq uint64
	// deleted: a delete of the service succeeded.
	deleted bool
}

// pendingCall is a scheduler call in flight.
type pendingCall struct {
	act  engine.Action
	rec  *record
	tomb *tombstone
}

// New returns a syncer around eng.
func New(eng *engine.Engine, cfg Config) *Syncer {
	return &Syncer{eng: eng, cfg: cfg.withDefaults(), services: map[string]*record{},
		tombstones: map[string]*tombstone{}, calls: map[uint64]pendingCall{}}
}

// Engine returns the engine the syncer drives, for read-only queries
// (snapshots, loads). Events must go through the syncer.
func (s *Syncer) Engine() *engine.Engine { return s.eng }

// Config returns the syncer's configuration with defaults filled in.
func (s *Syncer) Config() Config { return s.cfg }

// Step feeds one event that the driver originates (requests, ticks,
// operator actions) to the engine and returns what to do. Overrides and
// deletes of a service the router does not know are ignored. The slice is
// valid until the next call.
func (s *Syncer) Step(now time.Time, ev engine.Event) []Action { return s.StepRef(now, &ev) }

// StepRef is Step with the event passed by pointer, for a driver that
// keeps an Event to refill (the simulator, twice per request): an Event
// is ~200 bytes, and Step copies it at each call. StepRef sets ev.At to
// now and changes nothing else of *ev, nor keeps it.
func (s *Syncer) StepRef(now time.Time, ev *engine.Event) []Action {
	_, out := s.stepEvent(now, ev, false)
	return out
}

// StepSplit is StepRef for a driver that carries out the engine's own
// actions as they come (the simulator, twice per request): when none of
// them is a scheduler call, it returns the engine's slice itself as pass
// (valid until the engine's next step) and out holds only what the
// syncer adds after them (a poll), so a dispatch is not copied (an
// Action is ~200 bytes) into the syncer's slice. The driver carries out
// pass, then out: the order StepRef's one slice has. With a call among
// the engine's actions, pass is nil and out is what StepRef returns.
func (s *Syncer) StepSplit(now time.Time, ev *engine.Event) (pass []engine.Action, out []Action) {
	return s.stepEvent(now, ev, true)
}

func (s *Syncer) stepEvent(now time.Time, ev *engine.Event, split bool) ([]engine.Action, []Action) {
	s.out = s.out[:0]
	switch ev.Kind {
	case engine.EvOverride:
		rec := s.services[ev.Service]
		if rec == nil || ev.Description == nil {
			return nil, s.out // the next request brings the overridden description
		}
		rec.desc = ev.Description
	case engine.EvDeleteService:
		if s.services[ev.Service] == nil {
			return nil, s.out
		}
	}
	added := s.eng.ServicesAdded()
	var pass []engine.Action
	if split {
		pass = s.stepSplit(now, ev)
	} else {
		s.step(now, ev)
	}
	switch ev.Kind {
	case engine.EvRequestArrived, engine.EvStartService:
		// Only a service the engine took (not one a per-user limit
		// refused) gets a record, so refused requests leave nothing.
		// Every service the engine knows has a record with its
		// description (each way the engine adds one records it, and a
		// record goes only with the engine's ActDeleteService), so only
		// a step that added a service can need one: with a thousand
		// services the lookup of every request's record missed the
		// cache (5 % of a busy hour of large.yaml).
		if ev.Description != nil && s.eng.ServicesAdded() != added && s.eng.Knows(ev.Description.ID) {
			s.recordFor(ev.Description)
		}
	}
	return pass, s.out
}

// Known reports whether the router knows service id.
func (s *Syncer) Known(id string) bool { return s.services[id] != nil }

// Tracked counts the services the syncer keeps a record of, deleted ones
// included: it must not grow with requests the engine refused.
func (s *Syncer) Tracked() int {
	n := len(s.services)
	for id := range s.tombstones {
		if s.services[id] == nil {
			n++
		}
	}
	return n
}

// Urgent reports whether requests wait for an instance (fast polling).
func (s *Syncer) Urgent() bool { return s.urgent }

// Deleting lists the services deleted while the scheduler may still list
// them (re-created ones included, until it no longer does), sorted.
func (s *Syncer) Deleting() []string { return sortedKeys(s.tombstones) }

// PendingCalls counts scheduler calls in flight.
func (s *Syncer) PendingCalls() int { return len(s.calls) }

// View is what the syncer keeps of a service for the driver's API.
type View struct {
	// Observed: an observation listed the service since it was last lost.
	Observed bool
	// LastObservation is the scheduler's latest view (Config.KeepViews);
	// the caller must not modify it.
	LastObservation engine.Observation
	// Killed are instances killed recently, newest last (a copy).
	Killed []engine.ObservedInstance
}

// View returns what the syncer keeps of service id.
func (s *Syncer) View(id string) (View, bool) {
	rec := s.services[id]
	if rec == nil {
		return View{}, false
	}
	return View{Observed: rec.observed, LastObservation: rec.lastObs,
		Killed: append([]engine.ObservedInstance(nil), rec.killed...)}, true
}

// step feeds ev to the engine at now, turns its actions into the
// driver's and switches to fast polling when requests start waiting. It
// takes the event by pointer (and sets its time): an event is ~200 bytes
// and every request passes two through here.
func (s *Syncer) step(now time.Time, ev *engine.Event) {
	ev.At = now
	acts := s.eng.StepRef(ev)
	for i := range acts {
		s.shape(now, &acts[i])
	}
	s.noteUrgent(now)
}

// stepSplit is step for StepSplit: the engine's actions come back as
// they are when none is a call (shape would copy each as it is), else
// they are shaped into s.out and it returns nil.
func (s *Syncer) stepSplit(now time.Time, ev *engine.Event) []engine.Action {
	ev.At = now
	acts := s.eng.StepRef(ev)
	pass := acts
	for i := range acts {
		if isCall(acts[i].Kind) {
			pass = nil
			for i := range acts {
				s.shape(now, &acts[i])
			}
			break
		}
	}
	s.noteUrgent(now)
	return pass
}

// noteUrgent polls at once when requests start waiting for an instance.
func (s *Syncer) noteUrgent(now time.Time) {
	if urgent := s.eng.Waiting() > 0; urgent != s.urgent {
		s.urgent = urgent
		if urgent {
			s.pollNow(now)
		}
	}
}

// recordFor returns the record of a service, creating it as needed (a
// new request re-creates a deleted service; its tombstone stays until the
// scheduler no longer lists the deleted incarnation).
func (s *Syncer) recordFor(d *engine.Description) *record {
	rec := s.lookup(d.ID)
	if rec == nil {
		rec = &record{id: d.ID, owner: s, desc: d, appliedSeq: s.buriedSeq}
		s.services[d.ID] = rec
	}
	if rec.desc == nil {
		rec.desc = d
	}
	return rec
}

// ensure returns the record of a service the engine acts on.
func (s *Syncer) ensure(id string) *record {
	rec := s.lookup(id)
	if rec == nil {
		rec = &record{id: id, owner: s, appliedSeq: s.buriedSeq}
		s.services[id] = rec
	}
	return rec
}

// lookup returns the record of service id, or nil.
func (s *Syncer) lookup(id string) *record {
	if l := s.last; l != nil && l.id == id {
		return l
	}
	rec := s.services[id]
	if rec != nil {
		s.last = rec
	}
	return rec
}

// forget drops the record of service id.
func (s *Syncer) forget(id string) {
	if rec := s.services[id]; rec != nil {
		rec.gone = true
		if rec.listedSeq == s.listedPoll && s.listedCount > 0 {
			s.listedCount--
		}
	}
	delete(s.services, id)
	if s.last != nil && s.last.id == id {
		s.last = nil
	}
}
