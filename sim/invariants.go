package sim

import (
	"fmt"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/marathon"
)

// violate records the first invariant violation.
func (r *Runner) violate(format string, args ...any) {
	if r.violation == nil {
		r.violation = fmt.Errorf("sim: invariant violated at %v: %s", r.now, fmt.Sprintf(format, args...))
	}
}

// checkCluster verifies the model: no agent holds more than it has, every
// task is placed on a live agent unless it waits for room, and no task is
// healthy before it listens.
func (r *Runner) checkCluster() {
	used := map[string][2]float64{}
	for _, id := range r.model.AppIDs() {
		a := r.model.App(id)
		for _, t := range a.Tasks {
			if t.State == marathon.TaskWaiting {
				continue
			}
			u := used[t.AgentID]
			u[0] += a.Spec.CPUs
			u[1] += a.Spec.MemMB
			used[t.AgentID] = u
			if t.Alive && !t.Listening() {
				r.violate("task %s is healthy but does not listen", t.ID)
			}
		}
	}
	for _, ag := range r.model.Agents() {
		u := used[ag.ID]
		if u[0] > ag.CPUs+1e-6 || u[1] > ag.MemMB+1e-6 {
			r.violate("agent %s holds %.2f cpus / %.0f MB, has %.2f / %.0f", ag.ID, u[0], u[1], ag.CPUs, ag.MemMB)
		}
		if ag.Lost() && (u[0] > 0 || u[1] > 0) {
			r.violate("lost agent %s still holds tasks", ag.ID)
		}
	}
}

// checkEngine verifies what the engine shows: queues within
// max-queue-length and request conservation per service.
func (r *Runner) checkEngine() {
	r.syncCompleted()
	for _, st := range r.svcs {
		for _, rt := range r.rts {
			if l, ok := rt.eng.ServiceLoad(st.desc.ID); ok && rt.up && l.Waiting > st.desc.MaxQueueLength {
				r.violate("service %s queues %d > max-queue-length %d on %s", st.name, l.Waiting, st.desc.MaxQueueLength, rt.id)
			}
		}
		if st.t.Completed+st.t.Rejected > st.t.Requests {
			r.violate("service %s ended %d of %d requests", st.name, st.t.Completed+st.t.Rejected, st.t.Requests)
		}
	}
}

// checkDispatch verifies a dispatch goes to an instance the router was
// told is healthy and that the instance's program listens.
func (r *Runner) checkDispatch(rt *routerState, a *engine.Action, ts *taskState) {
	if ts == nil || r.isDead(ts) || ts.mt.Ended() {
		return // stale view: the request fails like a refused connection
	}
	if ts.toldHealthy&(1<<uint(rt.idx)) == 0 {
		r.violate("request %d dispatched to %s, which the router never saw healthy", a.Request, a.Instance)
	}
	if !ts.mt.Listening() {
		r.violate("request %d dispatched to %s, which does not listen", a.Request, a.Instance)
	}
}
