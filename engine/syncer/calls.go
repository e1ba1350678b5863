package syncer

import (
	"time"

	"github.com/waiter-go/waiter/engine"
)

// shape turns one engine action into the driver's: scheduler calls are
// numbered and counted in flight, kills get their force, deletes leave a
// tombstone.
func (s *Syncer) shape(now time.Time, a engine.Action) {
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
		if rec := s.lookup(a.Service); rec != nil && a.Description == nil {
			a.Description = rec.desc
		}
		s.forget(a.Service)
		pc.tomb = s.tombstones[a.Service]
		if pc.tomb == nil {
			pc.tomb = &tombstone{}
			s.tombstones[a.Service] = pc.tomb
		}
		pc.tomb.pendingOps++
	default:
		s.emit(a)
		return
	}
	if pc.rec != nil {
		pc.rec.pendingOps++
	}
	pc.act = a
	s.lastCall++
	s.calls[s.lastCall] = pc
	s.out = append(s.out, Action{Kind: ActEngine, Engine: a, Call: s.lastCall})
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
		s.step(now, engine.Event{Kind: engine.EvCreateResult, Service: a.Service, Err: err})
	case engine.ActScaleService:
		s.step(now, engine.Event{Kind: engine.EvScaleResult, Service: a.Service, Err: err})
	case engine.ActKillInstance:
		switch {
		case err == nil:
			pc.rec.killFailingSince = time.Time{}
			s.rememberKilled(pc.rec, a.Instance)
		case pc.rec.killFailingSince.IsZero():
			pc.rec.killFailingSince = now
		}
		s.step(now, engine.Event{Kind: engine.EvKillResult, Service: a.Service, Instance: a.Instance, Err: err})
	case engine.ActDeleteService:
		pc.tomb.pendingOps--
		pc.tomb.deletedSeq = s.seq
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
