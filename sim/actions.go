package sim

import (
	"errors"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/marathon"
)

// apiCall is a scheduler action in flight to Marathon.
type apiCall struct {
	kind      engine.ActionKind
	service   string
	instance  string
	instances int
	force     bool
}

// act carries out one engine action. It never calls back into the engine:
// everything that produces an engine event is scheduled as a simulator
// event, so Step is never re-entered.
func (r *Runner) act(a *engine.Action) {
	switch a.Kind {
	case engine.ActDispatch:
		r.dispatch(a)
	case engine.ActReject:
		r.reject(a)
	case engine.ActWakeAt:
		at := a.At.Sub(Epoch)
		if at < r.now {
			at = r.now
		}
		r.wakeAt, r.wakeOn = at, true
		r.q.Push(at, ev{kind: evWake})
	case engine.ActCreateService, engine.ActScaleService, engine.ActKillInstance, engine.ActDeleteService:
		c := apiCall{kind: a.Kind, service: a.Service, instance: a.Instance, instances: a.Instances, force: a.Force}
		var idx int32
		if n := len(r.free); n > 0 {
			idx = r.free[n-1]
			r.free = r.free[:n-1]
			r.calls[idx] = c
		} else {
			idx = int32(len(r.calls))
			r.calls = append(r.calls, c)
		}
		r.q.Push(r.now+r.sc.Router.APILatency, ev{kind: evAPI, idx: idx})
	}
}

// forceKillAfter is Waiter's :marathon :force-kill-after-ms.
const forceKillAfter = 60 * time.Second

// errMarathonDown is what every call gets during a Marathon outage.
var errMarathonDown = errors.New("marathon is unavailable (503)")

// callScheduler performs a scheduler call at Marathon and reports the result.
func (r *Runner) callScheduler(idx int32) {
	c := r.calls[idx]
	r.free = append(r.free, idx)
	svc, known := r.byID[c.service]
	var err error
	if r.down {
		err = errMarathonDown
	}
	var res engine.Event
	switch c.kind {
	case engine.ActCreateService:
		if err == nil && known {
			r.svcs[svc].t.Creates++
			_, err = r.model.CreateApp(r.now, appSpec(r.svcs[svc], c.instances))
			if errors.Is(err, marathon.ErrAppExists) {
				err = nil
			}
		}
		res = engine.Event{Kind: engine.EvCreateResult, Service: c.service}
	case engine.ActScaleService:
		if err == nil {
			// Waiter scales with PUT ?force=true; in force mode (overshoot)
			// it asks for max(target, task count) so Marathon kills nothing.
			n := c.instances
			if a := r.model.App(c.service); c.force && a != nil {
				n = max(n, len(a.Tasks))
			}
			err = r.model.ScaleApp(r.now, c.service, n, true)
			if err == nil && known {
				r.svcs[svc].t.ScaleUps++
			}
		}
		res = engine.Event{Kind: engine.EvScaleResult, Service: c.service}
	case engine.ActKillInstance:
		if err == nil {
			// Waiter forces kills once they have failed for 60 s
			// (force-kill-after-ms).
			force := false
			if known {
				st := r.svcs[svc]
				force = st.killFailingSince > 0 && r.now-st.killFailingSince >= forceKillAfter
			}
			err = r.model.KillTask(r.now, c.service, c.instance, true, force)
			if known {
				st := r.svcs[svc]
				switch {
				case err == nil:
					st.killFailingSince = 0
				case st.killFailingSince == 0:
					st.killFailingSince = r.now
				}
			}
			if err == nil {
				r.taskGone(c.instance)
				if known {
					r.svcs[svc].t.Kills++
				}
			}
		}
		res = engine.Event{Kind: engine.EvKillResult, Service: c.service, Instance: c.instance}
	case engine.ActDeleteService:
		if err == nil {
			r.deleteTasks(c.service)
			if a := r.model.App(c.service); a != nil && known {
				st := r.svcs[svc]
				st.t.InstanceSeconds += r.model.TaskSeconds(a, r.now)
				st.t.PeakInstances = max(st.t.PeakInstances, a.PeakTasks)
			}
			err = r.model.DeleteApp(r.now, c.service)
			if known {
				r.svcs[svc].t.Deletes++
			}
		}
		if errors.Is(err, marathon.ErrAppNotFound) {
			err = nil
		}
		if err != nil {
			r.countSchedulerError(svc, known)
		}
		return // the engine has already forgotten the service
	}
	if err != nil {
		res.Err = err.Error()
		r.countSchedulerError(svc, known)
	}
	r.step(res)
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
		ts.dead = true
		delete(r.tasks, id)
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
	if ts.inflight == 0 {
		return
	}
	var ids []engine.RequestID
	r.reqs.each(func(id engine.RequestID, rq reqState) {
		if rq.task == ts {
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
	if ts == nil || ts.dead {
		return
	}
	ts.dead = true
	delete(r.tasks, ts.id)
	_ = r.model.FailTask(r.now, ts.id, marathon.Failure{ExitCode: 1, HasExitCode: true,
		Message: "Command exited with status 1", HasConnected: true, HasResponded: true})
	r.failRequestsOn(ts)
}
