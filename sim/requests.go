package sim

import (
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/load"
)

// arrival creates the next request of process i and schedules the one after.
func (r *Runner) arrival(i int) {
	p := r.procs[i]
	svc := p.family
	if p.split != nil {
		svc += p.split.Pick(r.now)
	}
	r.admit(svc, 0)
	if at, ok := p.proc.Next(); ok && at < r.end {
		r.q.Push(at, ev{kind: evArrival, idx: int32(i)})
	}
}

// advanceTrace admits every trace invocation due now and schedules the next.
func (r *Runner) advanceTrace() {
	t := r.trace
	for {
		if t.ok {
			if t.next.At > r.now {
				if t.next.At < r.end {
					r.q.Push(t.next.At, ev{kind: evArrival, idx: -1})
				}
				return
			}
			r.admit(r.traceService(t.next.App), max(t.next.Duration, time.Millisecond))
		}
		t.next, t.ok = t.tr.Next()
		if !t.ok {
			return
		}
	}
}

// admit sends one request to the engine.
func (r *Runner) admit(svc int, dur time.Duration) {
	st := r.svcs[svc]
	r.nextID++
	id := r.nextID
	st.t.Requests++
	r.rec.arrival()
	cold := false
	if l, ok := r.eng.ServiceLoad(st.desc.ID); !ok || l.Healthy == 0 {
		cold = true
	}
	r.reqs[id] = reqState{svc: int32(svc), arrived: r.now, dur: dur}
	r.step(engine.Event{Kind: engine.EvRequestArrived, Service: st.desc.ID, Request: id,
		Description: st.desc, QueueTimeout: st.queueTO})
	if cold {
		if rq, live := r.reqs[id]; !live || rq.task == nil {
			// It did not find a healthy instance: it waits (or fails) for the first one.
			st.t.ColdStarts++
		}
	}
}

// dispatch starts serving req on the instance the engine chose.
func (r *Runner) dispatch(a *engine.Action) {
	rq, ok := r.reqs[a.Request]
	if !ok {
		return
	}
	st := r.svcs[rq.svc]
	t := r.model.Task(a.Instance)
	ts := r.tasks[a.Instance]
	if t == nil || ts == nil || ts.dead || t.State != "TASK_RUNNING" {
		// The router's view was stale: the instance is gone. Connecting
		// fails fast (502) and the engine ejects the instance.
		rq.task = deadTask
		r.reqs[a.Request] = rq
		r.q.Push(r.now+time.Millisecond, ev{kind: evComplete, req: a.Request, gen: uint64(engine.OutcomeInstanceError) + 1})
		return
	}
	ts.inflight++
	ts.served++
	rq.task = ts
	r.reqs[a.Request] = rq
	f := st.spec.Failure
	if f.BusyAbove > 0 && ts.inflight > f.BusyAbove {
		r.q.Push(r.now+time.Millisecond, ev{kind: evComplete, req: a.Request, gen: uint64(engine.OutcomeInstanceBusy) + 1})
		return
	}
	d := rq.dur
	if d == 0 {
		d = st.spec.ServiceTime.SampleDuration(st.times, time.Second)
	}
	if cpus := st.desc.CPUs; st.spec.SlowWhenBusy && float64(ts.inflight) > cpus && cpus > 0 {
		d = time.Duration(float64(d) * float64(ts.inflight) / cpus)
	}
	if d <= 0 {
		d = time.Microsecond
	}
	if f.CrashAfterRequests > 0 && ts.served == f.CrashAfterRequests {
		r.q.Push(r.now+d/2, ev{kind: evCrash, req: engine.RequestID(r.taskRef(ts))})
	}
	r.q.Push(r.now+d, ev{kind: evComplete, req: a.Request, gen: uint64(engine.OutcomeSuccess) + 1})
}

// deadTask marks requests sent to an instance that no longer exists.
var deadTask = &taskState{dead: true}

// complete ends a dispatched request with the outcome encoded in gen.
func (r *Runner) complete(id engine.RequestID, gen uint64) {
	rq, ok := r.reqs[id]
	if !ok || rq.task == nil {
		return // already ended (its instance crashed)
	}
	outcome := engine.Outcome(gen - 1)
	r.finish(id, rq, outcome)
}

func (r *Runner) finish(id engine.RequestID, rq reqState, outcome engine.Outcome) {
	delete(r.reqs, id)
	if rq.task != deadTask {
		rq.task.inflight--
	}
	st := r.svcs[rq.svc]
	lat := r.now - rq.arrived
	st.t.Completed++
	if outcome != engine.OutcomeSuccess {
		st.t.Errors++
	}
	st.hist.Record(lat)
	r.rec.completed(lat)
	r.step(engine.Event{Kind: engine.EvRequestFinished, Request: id, Outcome: outcome})
}

// reject records a request the engine refused.
func (r *Runner) reject(a *engine.Action) {
	rq, ok := r.reqs[a.Request]
	if !ok {
		return
	}
	delete(r.reqs, a.Request)
	st := r.svcs[rq.svc]
	st.t.Rejected++
	st.t.RejectedBy[a.Err.Reason.String()]++
	r.rec.rejected()
}

var _ = load.Invocation{}
