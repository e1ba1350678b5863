package sim

import (
	"sort"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/sim/marathon"
)

// poll is the router's scheduler syncer: it reads every app from Marathon
// (GET /v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure) and feeds the
// engine one observation per service, as `waiter serve` would. During an
// outage the poll fails and the engine keeps its last view.
func (r *Runner) poll() {
	if r.opts.CheckInvariants {
		r.checkCluster()
		r.checkEngine()
	}
	if r.down {
		return
	}
	seen := map[string]bool{}
	for _, id := range r.model.AppIDs() {
		a := r.model.App(id)
		seen[id] = true
		obs := r.observe(a)
		r.step(engine.Event{Kind: engine.EvServiceObserved, Service: id, Observation: obs})
	}
	// Services the engine knows but Marathon does not (deleted, or not yet
	// created): tell the engine they do not exist.
	for _, id := range r.eng.ServiceIDs() {
		if !seen[id] {
			if l, ok := r.eng.ServiceLoad(id); ok && l.Scheduled > 0 {
				r.step(engine.Event{Kind: engine.EvServiceObserved, Service: id, Observation: &engine.Observation{}})
			}
		}
	}
	// Tasks the router served that Marathon no longer lists died: requests
	// on them fail now.
	var gone []string
	for id, ts := range r.tasks {
		if r.model.Task(id) == nil {
			gone = append(gone, id)
			_ = ts
		}
	}
	sort.Strings(gone)
	for _, id := range gone {
		r.taskGone(id)
	}
}

// observe maps a Marathon app to the engine's observation (Waiter's
// marathon adapter: healthy from healthCheckResults, failures from the
// recorded task failures).
//
// The observation is reused from poll to poll: the engine copies what it
// keeps, so polling allocates nothing once the buffers have grown.
func (r *Runner) observe(a *marathon.App) *engine.Observation {
	obs := &r.obs
	*obs = engine.Observation{Exists: true, Requested: a.Instances, Scheduled: len(a.Tasks),
		Instances: obs.Instances[:0], Failed: obs.Failed[:0]}
	svc, known := r.byID[a.Spec.ID]
	for _, t := range a.Tasks {
		if t.State != marathon.TaskRunning {
			continue
		}
		ts, ok := r.tasks[t.ID]
		if !ok && known {
			ts = &taskState{id: t.ID, mt: t, svc: int32(svc), ref: uint64(len(r.taskRefs))}
			r.taskRefs = append(r.taskRefs, ts)
			r.tasks[t.ID] = ts
		}
		var ref uint64
		if ts != nil {
			ref = ts.ref
			ts.toldHealthy = t.HealthChecked && t.Alive
		}
		var flags engine.InstanceFlags
		if t.HasConnected {
			flags |= engine.FlagHasConnected
		}
		if t.HasResponded {
			flags |= engine.FlagHasResponded
		}
		port := 0
		if len(t.Ports) > 0 {
			port = t.Ports[0]
		}
		obs.Instances = append(obs.Instances, engine.ObservedInstance{
			ID: t.ID, Host: t.Host, Port: port, StartedAt: Epoch.Add(t.StartedAt),
			Healthy: t.HealthChecked && t.Alive, HealthCheckStatus: t.LastStatus, Flags: flags, Ref: ref,
		})
	}
	for _, f := range a.Failures {
		var flags engine.InstanceFlags
		if f.HasConnected {
			flags |= engine.FlagHasConnected
		}
		if f.HasResponded {
			flags |= engine.FlagHasResponded
		}
		if f.NeverPassedHealthChecks {
			flags |= engine.FlagNeverPassedHealthChecks
		}
		if f.MemoryLimitExceeded {
			flags |= engine.FlagMemoryLimitExceeded
		}
		obs.Failed = append(obs.Failed, engine.ObservedInstance{ID: f.TaskID, Host: f.Host,
			StartedAt: Epoch.Add(f.StartedAt), Flags: flags, ExitCode: f.ExitCode, HasExitCode: f.HasExitCode, Message: f.Message})
	}
	return obs
}
