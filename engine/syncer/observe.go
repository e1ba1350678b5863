package syncer

import (
	"time"
	"unsafe"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/prefetch"
)

// Adoptable reports whether a service the scheduler lists is one the
// router would adopt if described: it does not know it and did not
// delete it. The driver then looks its description up (I/O) and passes it
// to Observed.
func (s *Syncer) Adoptable(id string) bool {
	return s.services[id] == nil && s.tombstones[id] == nil
}

// Observed applies what observation number seq said about service id: o
// lists it (o.Exists) or says it does not run. desc describes a service
// the router does not know (see Adoptable); nil otherwise.
func (s *Syncer) Observed(now time.Time, seq uint64, id string, o *engine.Observation, desc *engine.Description) []Action {
	return s.ObservedHint(now, seq, id, o, desc, nil)
}

// ObserveHint is a driver's handle on what Observed looks up by a
// service's id: the syncer's record of it and the engine's service
// (engine.ServiceRef). A driver that observes the same services poll
// after poll (the simulator: a thousand services every poll interval,
// where the two map probes by a long id missed the cache each) keeps
// one per service and passes it to ObservedHint, which renews it. It is
// only a hint, checked before use: the zero ObserveHint is valid, and a
// stale one changes nothing but the cost.
type ObserveHint struct {
	rec *record
	ref engine.ServiceRef
}

// ServiceRef is the engine's handle on the service, as last renewed.
func (h *ObserveHint) ServiceRef() engine.ServiceRef { return h.ref }

// ObservedHint is Observed with the driver's hint for service id, nil
// for none.
func (s *Syncer) ObservedHint(now time.Time, seq uint64, id string, o *engine.Observation, desc *engine.Description, h *ObserveHint) []Action {
	s.out = s.out[:0]
	if !o.Exists {
		s.observeAbsent(now, seq, id)
		return s.out
	}
	var rec *record
	if h != nil && h.rec != nil && h.rec.owner == s && !h.rec.gone && h.rec.id == id {
		rec = h.rec
	} else {
		rec = s.lookup(id)
	}
	if rec != nil {
		s.noteListed(rec, seq)
		if s.tombstones[id] != nil {
			// Re-created, but the scheduler still lists the deleted
			// incarnation: its instances are being killed and are none of
			// the new service's (the create waits, see shape).
			return s.out
		}
		if seq < rec.appliedSeq {
			return s.out // stale: a newer observation of this service was applied
		}
		rec.appliedSeq = seq
	} else {
		if !s.Adoptable(id) || desc == nil || desc.ID != id || seq < s.buriedSeq {
			return s.out // unknown, deleted, or maybe its deleted incarnation (buriedSeq)
		}
		rec = &record{id: id, owner: s, desc: desc, appliedSeq: seq}
		s.services[id] = rec
		s.noteListed(rec, seq)
	}
	rec.observed, rec.existed = true, true
	if s.cfg.KeepViews {
		rec.lastObs = *o
	}
	if h == nil {
		s.step(now, &engine.Event{Kind: engine.EvServiceObserved, Service: id, Observation: o, Description: rec.desc})
		return s.out
	}
	h.rec = rec
	s.step(now, &engine.Event{Kind: engine.EvServiceObserved, Service: id, Observation: o, Description: rec.desc, Ref: h.ref})
	if !s.eng.RefLive(h.ref) {
		h.ref = s.eng.ServiceRef(id)
	}
	return s.out
}

// Applied reports whether observation number seq was the newest applied
// to service id (false for a stale one, or a service the router does not
// keep); drivers note what it said for their dashboards.
func (s *Syncer) Applied(id string, seq uint64) bool {
	rec := s.lookup(id)
	return rec != nil && rec.appliedSeq == seq
}

// observeAbsent applies an observation that does not list service id. It
// is reported gone only when no scheduler call for it is in flight and
// its creation finished before the observation started; otherwise the
// observation may simply predate it. A deleted service's tombstone goes
// once an observation started after the delete no longer lists it; the
// calls of a re-created service that waited for that are released.
func (s *Syncer) observeAbsent(now time.Time, seq uint64, id string) {
	rec := s.lookup(id)
	if tomb := s.tombstones[id]; tomb != nil && tomb.pendingOps == 0 && tomb.deletedSeq < seq {
		delete(s.tombstones, id)
		s.buriedSeq = max(s.buriedSeq, seq)
		if rec != nil {
			// A re-created service: an observation that started before
			// this one may list the deleted incarnation, so it is stale
			// now; the calls that waited for the scheduler to forget it
			// go.
			rec.appliedSeq = max(rec.appliedSeq, seq)
			s.release(rec)
		}
	}
	if rec == nil {
		return
	}
	if seq < rec.appliedSeq {
		return
	}
	rec.appliedSeq = seq
	if !rec.existed || rec.pendingOps > 0 || rec.createdAtSeq >= seq {
		return
	}
	rec.observed, rec.existed = false, false
	rec.lastObs = engine.Observation{}
	s.step(now, &engine.Event{Kind: engine.EvServiceObserved, Service: id, Observation: &engine.Observation{}})
}

// Warm asks the processor for what ObservedHint will read through h (its
// record and the engine's service record), ahead of its use: see
// engine.ServiceRef.Warm.
func (h *ObserveHint) Warm() {
	if h.rec != nil {
		prefetch.Line(unsafe.Pointer(h.rec))
	}
	h.ref.Warm()
}
