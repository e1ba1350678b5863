package sim

import (
	"errors"
	"github.com/waiter-go/waiter/sim/scenario"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/engine/syncer"
	"github.com/waiter-go/waiter/sim/marathon"
)

// apiCall is a scheduler call in flight to Marathon: the engine's
// action as the syncer shaped it, and the call's number.
type apiCall struct {
	act  engine.Action
	call uint64
	// rt and life: the router that made the call, which hears the result
	// unless it crashed meanwhile.
	rt   *routerState
	life uint16
}

// act carries out one of the syncer's actions. It never calls back into
// the syncer: everything that produces an engine event is scheduled as a
// simulator event, so Step is never re-entered.
func (r *Runner) act(rt *routerState, sa *syncer.Action) {
	if sa.Kind == syncer.ActPollAt {
		rt.pollGen++
		r.q.Push(max(sa.At.Sub(Epoch), r.now), ev{kind: evPoll, arg: rt.pollGen, rt: uint8(rt.idx), life: rt.life})
		return
	}
	a := &sa.Engine
	if sa.Call != 0 {
		if r.opts.OnCall != nil {
			r.opts.OnCall(r.now, *a)
		}
		c := apiCall{act: *a, call: sa.Call, rt: rt, life: rt.life}
		var idx int32
		if n := len(r.free); n > 0 {
			idx = r.free[n-1]
			r.free = r.free[:n-1]
			r.calls[idx] = c
		} else {
			idx = int32(len(r.calls))
			r.calls = append(r.calls, c)
		}
		lat := r.sc.Router.APILatency
		if a.Kind == engine.ActCreateService {
			lat += r.opts.CreateOverhead
		}
		r.q.Push(r.now+lat, ev{kind: evAPI, arg: uint64(idx)})
		return
	}
	r.actEngine(rt, a)
}

// actEngine carries out one of router rt's engine's actions that is not
// a scheduler call (as the syncer passes it through).
func (r *Runner) actEngine(rt *routerState, a *engine.Action) {
	switch a.Kind {
	case engine.ActDispatch:
		r.dispatch(rt, a)
	case engine.ActReject:
		r.reject(a)
	case engine.ActWakeAt:
		at := a.At.Sub(Epoch)
		if at < r.now {
			at = r.now
		}
		rt.wakeAt, rt.wakeOn = at, true
		r.q.Push(at, ev{kind: evWake, rt: uint8(rt.idx), life: rt.life})
	default:
		r.clusterAct(rt, a)
	}
}

// errMarathonDown is what every call gets during a Marathon outage.
var errMarathonDown = errors.New("marathon is unavailable (503)")

// callScheduler performs a scheduler call at Marathon and reports the result.
func (r *Runner) callScheduler(idx int32) {
	c := r.calls[idx]
	r.free = append(r.free, idx)
	a := &c.act
	svc, known := r.byID[a.Service]
	var err error
	if r.down {
		err = errMarathonDown
	}
	switch a.Kind {
	case engine.ActCreateService:
		if err == nil && known {
			r.svcs[svc].t.Creates++
			spec := AppSpec(r.svcs[svc].desc, r.svcs[svc].spec, a.Instances)
			if r.sc.Scheduler == scenario.SchedulerKubernetes {
				spec = KubernetesAppSpec(spec)
			}
			_, err = r.model.CreateApp(r.now, spec)
			if errors.Is(err, marathon.ErrAppExists) {
				err = nil
			}
		}
	case engine.ActScaleService:
		if err == nil {
			// Waiter scales with PUT ?force=true; a forced scale keeps
			// every task (engine.ForcedScaleCount).
			n := a.Instances
			if app := r.model.App(a.Service); a.Force && app != nil {
				n = engine.ForcedScaleCount(n, len(app.Tasks))
			}
			err = r.model.ScaleApp(r.now, a.Service, n, true)
			if err == nil && known {
				r.svcs[svc].t.ScaleUps++
			}
		}
	case engine.ActKillInstance:
		if err == nil {
			// The syncer decided the options: scale down unless
			// replacing, forced after a minute of refusals.
			opts := engine.KillOptionsOf(*a)
			err = r.model.KillTask(r.now, a.Service, a.Instance, !opts.Replace, opts.Force)
			if err == nil {
				r.taskGone(a.Instance)
				if known {
					r.svcs[svc].t.Kills++
				}
			}
		}
	case engine.ActDeleteService:
		if err == nil {
			r.deleteTasks(a.Service)
			if app := r.model.App(a.Service); app != nil && known {
				st := r.svcs[svc]
				st.t.InstanceSeconds += r.model.TaskSeconds(app, r.now)
				st.t.PeakInstances = max(st.t.PeakInstances, app.PeakTasks)
			}
			err = r.model.DeleteApp(r.now, a.Service)
			if known {
				r.svcs[svc].t.Deletes++
			}
		}
		if errors.Is(err, marathon.ErrAppNotFound) {
			err = nil
		}
	}
	if err != nil {
		r.countSchedulerError(svc, known)
	}
	if rt := c.rt; rt.up && rt.life == c.life {
		r.applyOn(rt, rt.sync.CallDone(r.at(), c.call, err))
	}
}

func (r *Runner) countSchedulerError(svc int, known bool) {
	if known {
		r.svcs[svc].t.SchedulerErrors++
	}
}

// taskGone marks a killed task dead; requests still on it fail as the
// connection drops.
func (r *Runner) taskGone(id string) {
	if ts := r.tasks[id]; ts != nil {
		r.forgetTask(ts)
		r.failRequestsOn(ts)
	}
}

func (r *Runner) deleteTasks(service string) {
	a := r.model.App(service)
	if a == nil {
		return
	}
	for _, t := range a.Tasks {
		r.taskGone(t.ID)
	}
}

// failRequestsOn ends every request in flight on ts with an instance error.
func (r *Runner) failRequestsOn(ts *taskState) {
	if r.hot[ts.ref].inflight == 0 {
		return
	}
	var ids []engine.RequestID
	r.reqs.each(func(id engine.RequestID, rq reqState) {
		if rq.task == int32(ts.ref)+1 {
			ids = append(ids, id)
		}
	})
	for _, id := range ids {
		if rq, ok := r.reqs.get(id); ok {
			r.finish(id, rq, engine.OutcomeInstanceError)
		}
	}
}

// taskRef registers ts as the target of a crash event.
func (r *Runner) taskRef(ts *taskState) int {
	r.crashes = append(r.crashes, ts)
	return len(r.crashes) - 1
}

// crashTask kills the task behind a crash event: Marathon records the
// failure and relaunches; requests on it fail.
func (r *Runner) crashTask(ref engine.RequestID) {
	ts := r.crashes[ref]
	r.crashes[ref] = nil
	if ts == nil || r.isDead(ts) {
		return
	}
	r.forgetTask(ts)
	_ = r.model.FailTask(r.now, ts.id, marathon.Failure{ExitCode: 1, HasExitCode: true,
		Message: "Command exited with status 1", HasConnected: true, HasResponded: true})
	r.failRequestsOn(ts)
}
