package router

import (
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// serviceView is what the loop copies out for one service: the engine's
// snapshot and the driver's own facts. The API's snapshot is built from
// it off the loop, so a large /apps holds the loop only for the copies.
type serviceView struct {
	eng         engine.ServiceSnapshot
	total       uint64
	lastRequest time.Time
	observed    bool
	// lastObs is shared, not copied: an observation is never modified
	// once fed (the next one replaces it whole).
	lastObs  engine.Observation
	killed   []engine.ObservedInstance
	counters waiter.ServiceCounters
}

// viewOf copies one service's state; loop goroutine only.
func (d *Driver) viewOf(id string) (serviceView, bool) {
	es, ok := d.eng.Service(id)
	if !ok {
		return serviceView{}, false
	}
	v := serviceView{eng: es}
	if rec := d.services[id]; rec != nil {
		v.total, v.lastRequest, v.counters = rec.total, rec.lastRequest, rec.counters
	}
	if sv, ok := d.sync.View(id); ok {
		v.observed, v.lastObs, v.killed = sv.Observed, sv.LastObservation, sv.Killed
	}
	return v, true
}

// Services returns a snapshot of every service the engine knows, by id.
func (d *Driver) Services() []waiter.ServiceSnapshot {
	var views []serviceView
	d.do(func() {
		ids := d.eng.ServiceIDs()
		views = make([]serviceView, 0, len(ids))
		for _, id := range ids {
			if v, ok := d.viewOf(id); ok {
				views = append(views, v)
			}
		}
	})
	out := make([]waiter.ServiceSnapshot, len(views))
	for i, v := range views {
		out[i] = v.snapshot()
	}
	return out
}

// Service returns a snapshot of one service.
func (d *Driver) Service(id string) (waiter.ServiceSnapshot, bool) {
	var v serviceView
	var ok bool
	d.do(func() { v, ok = d.viewOf(id) })
	if !ok {
		return waiter.ServiceSnapshot{}, false
	}
	return v.snapshot(), true
}

// ServiceLoads is the cheap summary of every service for /metrics
// (waiter.LoadLister): one engine.Load per service, no instance lists.
func (d *Driver) ServiceLoads() []waiter.ServiceLoad {
	var out []waiter.ServiceLoad
	d.do(func() {
		ids := d.eng.ServiceIDs()
		out = make([]waiter.ServiceLoad, 0, len(ids))
		for _, id := range ids {
			l, ok := d.eng.ServiceLoad(id)
			if !ok {
				continue
			}
			sl := waiter.ServiceLoad{ID: id, Load: l}
			if rec := d.services[id]; rec != nil {
				sl.Name, sl.TotalRequests, sl.Counters = rec.desc.Name, rec.total, rec.counters
			}
			out = append(out, sl)
		}
	})
	return out
}

// State is the driver's own view for GET /state.
func (d *Driver) State() any {
	state := map[string]any{}
	d.do(func() {
		ids := d.eng.ServiceIDs()
		waiting, inflight := 0, 0
		for _, id := range ids {
			if l, ok := d.eng.ServiceLoad(id); ok {
				waiting += l.Waiting
				inflight += l.InFlight
			}
		}
		tombs := d.sync.Deleting()
		state["services"] = len(ids)
		state["waiting-requests"] = waiting
		state["in-flight-requests"] = inflight
		state["next-wake-in-ms"] = d.wakeIn().Milliseconds()
		state["scheduler-calls-pending"] = d.ops.pending()
		state["deleting-services"] = tombs
		state["poll-interval-ms"] = d.sync.Config().PollInterval.Milliseconds()
		state["fast-polling"] = d.sync.Urgent()
		state["last-poll"] = d.lastPoll
		state["default-scaling-policy"] = d.eng.Config().DefaultPolicy
		state["event-queue-length"] = int(d.queued.Load())
		state["cluster"] = d.clusterView()
		if d.pollErr != "" {
			state["last-poll-error"] = d.pollErr
		}
	})
	return state
}

// snapshot builds the API's view: the engine's counts, status, scaling
// state and instances, with the scheduler's health-check status and flags
// for each live instance, and the driver's killed-instance history.
func (v serviceView) snapshot() waiter.ServiceSnapshot {
	es := v.eng
	s := waiter.ServiceSnapshot{
		ID: es.ID, Description: es.Description, Status: es.Status(), Observed: v.observed,
		Requested: es.Requested, Scheduled: es.Scheduled,
		Waiting: es.Waiting, InFlight: es.InFlight, FreeSlots: es.FreeSlots,
		TotalRequests: v.total, LastRequestTime: v.lastRequest, LastActivity: es.LastActivity, StaleGCAt: es.StaleGCAt,
		Suspended: es.Suspended, DeploymentError: es.DeploymentError, ScalingState: es.ScalingState.String(),
		Starting: es.Starting, ExpiredHealthy: es.ExpiredHealthy, ExpiredUnhealthy: es.ExpiredUnhealthy,
		Autoscaler: waiter.AutoscalerSnapshot{Policy: es.Policy, Decision: es.LastDecision,
			Decided: es.LastDecision != (engine.Decision{})},
		Counters: v.counters,
	}
	observed := make(map[string]*engine.ObservedInstance, len(v.lastObs.Instances))
	for i := range v.lastObs.Instances {
		observed[v.lastObs.Instances[i].ID] = &v.lastObs.Instances[i]
	}
	listed := map[string]bool{}
	for _, in := range es.Instances {
		is := instanceSnapshot(in, observed[in.ID])
		if in.Killed {
			// Killed but still listed by the scheduler: the engine no
			// longer counts it.
			listed[in.ID] = true
			s.Killed = append(s.Killed, is)
			continue
		}
		s.Instances = append(s.Instances, is)
	}
	for _, k := range v.killed {
		if !listed[k.ID] {
			s.Killed = append(s.Killed, waiter.InstanceSnapshot{ObservedInstance: k, Killed: true})
		}
	}
	for _, f := range es.Failed {
		s.Failed = append(s.Failed, waiter.InstanceSnapshot{ObservedInstance: f})
	}
	return s
}

// instanceSnapshot joins the engine's view of an instance with the
// scheduler's last report of it (nil when the poll did not list it).
func instanceSnapshot(in engine.InstanceSnapshot, oi *engine.ObservedInstance) waiter.InstanceSnapshot {
	o := engine.ObservedInstance{ID: in.ID, Host: in.Host, Port: in.Port, StartedAt: in.StartedAt, Healthy: in.Healthy}
	if oi != nil {
		o.HealthCheckStatus, o.Flags, o.Message = oi.HealthCheckStatus, oi.Flags, oi.Message
		o.ExitCode, o.HasExitCode = oi.ExitCode, oi.HasExitCode
	}
	return waiter.InstanceSnapshot{ObservedInstance: o, InFlight: in.InFlight, Starting: in.Starting,
		Expired: in.Expired, Ejected: in.Ejected, EjectedUntil: in.EjectedUntil,
		ConsecutiveFailures: in.ConsecutiveFailures, Locked: in.Locked, Killed: in.Killed}
}

var _ waiter.Router = (*Driver)(nil)
var _ waiter.LoadLister = (*Driver)(nil)
