package sim

import (
	"time"

	"github.com/waiter-go/waiter/engine"
)

// arrival admits the next request of process p (the trace is the process
// after the last load process) and schedules that process's next arrival.
func (r *Runner) arrival(p int32) {
	if int(p) == len(r.procs) {
		t := r.trace
		r.admit(r.traceService(t.next.App), max(t.next.Duration, time.Millisecond))
		t.next, t.ok = t.tr.Next()
		r.arr.reschedule(t.next.At, t.ok && t.next.At < r.end)
		return
	}
	ps := &r.procs[p]
	svc := ps.family
	if ps.split != nil {
		svc += ps.split.Pick(r.now)
	}
	r.admit(svc, 0)
	at, ok := ps.next()
	r.arr.reschedule(at, ok && at < r.end)
}

// admit sends one request to the engine.
func (r *Runner) admit(svc int, dur time.Duration) {
	st := r.svcs[svc]
	r.nextID++
	id := r.nextID
	st.t.Requests++
	r.rec.arrival(svc)
	if r.opts.OnArrival != nil {
		r.opts.OnArrival(r.now, st.id)
	}
	rt := r.pickRouter()
	rt.open++
	rt.t.requests++
	r.rec.routerArrival(rt)
	rq := r.reqs.put(id, reqState{svc: int32(svc), rt: uint8(rt.idx), life: rt.life, arrived: r.now, dur: dur})
	// The syncer called directly, not through stepOn, with the run's
	// own arrival event refilled: an Event is 192 bytes, and building one
	// per request and passing it by value cost two copies of it.
	ae := &r.arriveEv
	ae.Service, ae.Request, ae.Description, ae.Ref = st.id, id, st.desc, st.ref
	r.stepSplit(rt, ae)
	if !rt.eng.RefLive(st.ref) {
		st.ref = rt.eng.ServiceRef(st.id)
	}
	// rq is still the request's slot: only admit puts. Refused, it is
	// no longer live; dispatched, it has a task.
	if rq.live && rq.task == noTask {
		// Not dispatched at once: it waits, and it is a cold start when
		// the service has no healthy instance to wait for.
		if l, ok := rt.eng.ServiceLoadRef(st.ref, st.id); !ok || l.Healthy == 0 {
			st.t.ColdStarts++
		}
	}
}

// dispatch starts serving req on the instance the engine chose.
func (r *Runner) dispatch(rt *routerState, a *engine.Action) {
	rq := r.reqs.ref(a.Request)
	if rq == nil {
		return
	}
	st := r.svcs[rq.svc]
	// The engine's pick is a task of taskRefs when it carries one's ref
	// and id (a task the router does not keep has ref 0, as the first
	// one does).
	var hot *taskHot
	if a.Ref < uint64(len(r.hot)) && r.hot[a.Ref].id == a.Instance {
		hot = &r.hot[a.Ref]
	}
	if r.opts.CheckInvariants {
		var ts *taskState
		if hot != nil {
			ts = r.taskRefs[a.Ref]
		}
		r.checkDispatch(rt, a, ts)
	}
	// A task ends only with the model's Removals() counting it: while
	// the count is the one it was last found running at, it runs. The
	// task's own state is then not read (a cache miss per request with a
	// thousand services: 3 % of a busy hour of large.yaml).
	removals := r.model.Removals()
	if hot == nil || hot.dead || (hot.liveAt != removals && r.taskRefs[a.Ref].mt.Ended()) {
		// The router's view was stale: the instance is gone. Connecting
		// fails fast (502) and the engine ejects the instance.
		rq.task = taskDead
		r.q.Push(r.now+time.Millisecond, ev{kind: evComplete, arg: uint64(a.Request), outcome: engine.OutcomeInstanceError})
		return
	}
	hot.liveAt = removals
	hot.inflight++
	inflight := hot.inflight
	rq.task = int32(a.Ref) + 1
	f := &st.spec.Failure
	// Only a service that crashes counts its tasks' requests, on the
	// task's own state (a busy answer counts too).
	var crashing *taskState
	if f.CrashAfterRequests > 0 {
		ts := r.taskRefs[a.Ref]
		if ts.served++; ts.served == f.CrashAfterRequests {
			crashing = ts
		}
	}
	if f.BusyAbove > 0 && int(inflight) > f.BusyAbove {
		r.q.Push(r.now+time.Millisecond, ev{kind: evComplete, arg: uint64(a.Request), outcome: engine.OutcomeInstanceBusy})
		return
	}
	d := rq.dur
	if d == 0 {
		d = st.times.Duration()
	}
	d += r.opts.RequestOverhead
	if st.spec.SlowWhenBusy {
		if cpus := st.desc.CPUs; float64(inflight) > cpus && cpus > 0 {
			d = time.Duration(float64(d) * float64(inflight) / cpus)
		}
	}
	if d <= 0 {
		d = time.Microsecond
	}
	if crashing != nil {
		r.q.Push(r.now+d/2, ev{kind: evCrash, arg: uint64(r.taskRef(crashing))})
	}
	r.q.Push(r.now+d, ev{kind: evComplete, arg: uint64(a.Request), outcome: engine.OutcomeSuccess})
}

// complete ends a dispatched request with its outcome.
func (r *Runner) complete(id engine.RequestID, outcome engine.Outcome) {
	rq := r.reqs.ref(id)
	if rq == nil || rq.task == noTask {
		return // already ended (its instance crashed)
	}
	s := *rq
	r.reqs.delRef(rq)
	r.ended(id, s, outcome)
}

// finish ends request id, whose state is rq, with its outcome.
func (r *Runner) finish(id engine.RequestID, rq reqState, outcome engine.Outcome) {
	r.reqs.del(id)
	r.ended(id, rq, outcome)
}

// ended is the end of request id, its state rq already out of the
// table: counted, recorded and told to its router's engine.
func (r *Runner) ended(id engine.RequestID, rq reqState, outcome engine.Outcome) {
	if rq.task > 0 {
		*r.inflightOn(&rq)--
	}
	lat := r.now - rq.arrived
	r.completed[rq.svc]++
	if outcome != engine.OutcomeSuccess {
		r.svcs[rq.svc].t.Errors++
	}
	r.lats.record(r.svcs, rq.svc, lat)
	r.rec.completed(int(rq.svc), lat)
	rt := r.rts[rq.rt]
	if !rt.up || rt.life != rq.life {
		return // its router crashed: crashRouter ended it
	}
	rt.open--
	rt.t.completed++
	if outcome != engine.OutcomeSuccess {
		rt.t.errors++
	}
	if len(r.rts) > 1 {
		rt.hist.Record(lat) // only a cluster's report shows each router's latency
	}
	fe := &r.finishEv
	fe.Request, fe.Outcome = id, outcome
	r.stepSplit(rt, fe)
}

// reject records a request the engine refused.
func (r *Runner) reject(a *engine.Action) {
	rq, ok := r.reqs.get(a.Request)
	if !ok {
		return
	}
	r.reqs.del(a.Request)
	st := r.svcs[rq.svc]
	if rt := r.rts[rq.rt]; rt.life == rq.life {
		rt.open--
		rt.t.rejected++
	}
	st.t.Rejected++
	st.t.RejectedBy[a.Err.Reason.String()]++
	r.rec.rejected(int(rq.svc))
}
