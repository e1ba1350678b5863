package syncer

import (
	"time"

	"github.com/waiter-go/waiter/engine"
)

// isCall reports whether an engine action of kind k is a scheduler call,
// which shape numbers; the others pass through as they are.
func isCall(k engine.ActionKind) bool {
	switch k {
	case engine.ActCreateService, engine.ActScaleService, engine.ActKillInstance, engine.ActDeleteService:
		return true
	}
	return false
}

// shape turns one engine action into the driver's: scheduler calls are
// numbered and counted in flight, kills get their force, deletes leave a
// tombstone. It takes the action by pointer (into the engine's slice,
// which it does not modify): actions are large and every request's
// dispatch passes through here.
func (s *Syncer) shape(now time.Time, ap *engine.Action) {
	if !isCall(ap.Kind) {
		// Grown in place, then filled: an Action is ~200 bytes, and a
		// composite literal was built and then copied in.
		s.out = append(s.out, Action{})
		o := &s.out[len(s.out)-1]
		o.Kind, o.Engine = ActEngine, *ap
		return
	}
	a := *ap
	var pc pendingCall
	switch a.Kind {
	case engine.ActCreateService:
		pc.rec = s.recordFor(a.Description)
	case engine.ActScaleService:
		pc.rec = s.ensure(a.Service)
	case engine.ActKillInstance:
		pc.rec = s.ensure(a.Service)
		a.Force = a.Force || s.killForced(pc.rec, now)
	case engine.ActDeleteService:
		// The engine has forgotten the service; so does the router, but
		// it keeps a tombstone until the scheduler stops listing it. The
		// action carries the description the service ran with, for the
		// driver's store.
		if rec := s.lookup(a.Service); rec != nil {
			if a.Description == nil {
				a.Description = rec.desc
			}
			// Calls held for a re-creation never reached the scheduler:
			// they are dropped with the service.
			for _, n := range rec.held {
				delete(s.calls, n)
			}
		}
		s.forget(a.Service)
		pc.tomb = s.tombstones[a.Service]
		if pc.tomb == nil {
			pc.tomb = &tombstone{}
			s.tombstones[a.Service] = pc.tomb
		}
		pc.tomb.pendingOps++
	}
	if pc.rec != nil {
		pc.rec.pendingOps++
	}
	pc.act = a
	s.lastCall++
	s.calls[s.lastCall] = pc
	if pc.rec != nil && s.tombstones[a.Service] != nil {
		// The service is re-created while the scheduler may still list
		// its deleted incarnation, whose instances are being killed: a
		// create now could meet it (or overtake its delete), and its
		// listing would pass for the new service's. The call waits until
		// the scheduler no longer lists the service (release).
		pc.rec.held = append(pc.rec.held, s.lastCall)
		return
	}
	s.out = append(s.out, Action{Kind: ActEngine, Engine: a, Call: s.lastCall})
}

// release hands the driver the calls held for rec's service, in order:
// the scheduler no longer lists the deleted incarnation.
func (s *Syncer) release(rec *record) {
	for _, n := range rec.held {
		if pc, ok := s.calls[n]; ok {
			s.out = append(s.out, Action{Kind: ActEngine, Engine: pc.act, Call: n})
		}
	}
	rec.held = nil
}

// killForced: kills of the service have failed for ForceKillAfter.
func (s *Syncer) killForced(rec *record, now time.Time) bool {
	return !rec.killFailingSince.IsZero() && now.Sub(rec.killFailingSince) >= s.cfg.ForceKillAfter
}

// CallDone reports the outcome of scheduler call number call (err is the
// scheduler's error, nil on success) and returns what to do: the engine
// learns the result, and a successful call makes the scheduler be
// observed at once, so the engine sees new or removed instances without
// waiting a poll period.
func (s *Syncer) CallDone(now time.Time, call uint64, err error) []Action {
	s.out = s.out[:0]
	pc, ok := s.calls[call]
	if !ok {
		return s.out
	}
	delete(s.calls, call)
	a := pc.act
	if pc.rec != nil {
		pc.rec.pendingOps--
	}
	switch a.Kind {
	case engine.ActCreateService:
		if err == nil {
			pc.rec.existed = true
			pc.rec.createdAtSeq = s.seq
		}
		s.step(now, &engine.Event{Kind: engine.EvCreateResult, Service: a.Service, Err: err})
	case engine.ActScaleService:
		s.step(now, &engine.Event{Kind: engine.EvScaleResult, Service: a.Service, Err: err})
	case engine.ActKillInstance:
		switch {
		case err == nil:
			pc.rec.killFailingSince = time.Time{}
			s.rememberKilled(pc.rec, a.Instance)
		case pc.rec.killFailingSince.IsZero():
			pc.rec.killFailingSince = now
		}
		s.step(now, &engine.Event{Kind: engine.EvKillResult, Service: a.Service, Instance: a.Instance, Err: err})
	case engine.ActDeleteService:
		tomb := pc.tomb
		tomb.pendingOps--
		tomb.deletedSeq = s.seq
		tomb.deleted = tomb.deleted || err == nil
		rec := s.lookup(a.Service)
		if !tomb.deleted && tomb.pendingOps == 0 && rec != nil && s.tombstones[a.Service] == tomb {
			// No delete got through: the old incarnation is not being
			// killed, and the re-created service may take it over.
			delete(s.tombstones, a.Service)
			s.release(rec)
		}
	}
	if err == nil {
		s.pollNow(now)
	}
	return s.out
}

// rememberKilled records a killed instance as last observed.
func (s *Syncer) rememberKilled(rec *record, id string) {
	if !s.cfg.KeepViews {
		return
	}
	oi := engine.ObservedInstance{ID: id}
	for _, o := range rec.lastObs.Instances {
		if o.ID == id {
			oi = o
			break
		}
	}
	rec.killed = append(rec.killed, oi)
	if len(rec.killed) > MaxKilled {
		rec.killed = rec.killed[len(rec.killed)-MaxKilled:]
	}
}
