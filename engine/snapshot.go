package engine

import (
	"sort"
	"time"
)

// Load is a cheap, allocation-free summary of one service for drivers that
// sample often (the simulator's gauges, a router's metrics).
type Load struct {
	Healthy   int
	Waiting   int
	InFlight  int
	Requested int
	Scheduled int
	FreeSlots int
	// Desired is the instance count the scaling policy last asked for
	// (its Decision.ScaleTo), or Requested before its first decision: a
	// dashboard or a metric compares it with Requested to show a scale-up
	// the executor is holding back (quanta, a pending scale, max-instances).
	Desired int
	// ScalingState is the direction of the policy's last decision.
	ScalingState ScalingState
	// DeploymentError is the service's current deployment error, empty
	// once an instance is healthy.
	DeploymentError string
	// Panicking is the policy's last word on panic mode (Knative only).
	Panicking bool
}

// ServiceLoad returns the summary of service id, or false if unknown.
func (e *Engine) ServiceLoad(id string) (Load, bool) { return e.ServiceLoadRef(ServiceRef{}, id) }

// ServiceLoadRef is ServiceLoad with the driver's handle on the service
// (see ServiceRef).
func (e *Engine) ServiceLoadRef(ref ServiceRef, id string) (Load, bool) {
	svc := e.lookupRef(ref, id)
	if svc == nil {
		return Load{}, false
	}
	desired := svc.requested
	if svc.decided {
		desired = svc.lastDecision.ScaleTo
	}
	return Load{Healthy: svc.healthy, Waiting: svc.waiting, InFlight: svc.inflight,
		Requested: svc.requested, Scheduled: svc.scheduled, FreeSlots: svc.freeSlots,
		Desired: desired, ScalingState: svc.scalingState, DeploymentError: svc.deploymentError,
		Panicking: svc.lastDecision.Panicking}, true
}

// ServiceIDs returns the ids of every service the engine knows, sorted.
func (e *Engine) ServiceIDs() []string {
	ids := make([]string, len(e.order))
	for i, s := range e.order {
		ids[i] = s.id
	}
	return ids
}

// InstanceSnapshot is the engine's view of one instance.
type InstanceSnapshot struct {
	ID                  string
	Host                string
	Port                int
	StartedAt           time.Time
	Healthy             bool
	Starting            bool
	Expired             bool
	Ejected             bool
	EjectedUntil        time.Time
	ConsecutiveFailures int
	Killed              bool
	Locked              bool
	InFlight            int
}

// ServiceSnapshot is the engine's view of one service, for /apps and /state.
type ServiceSnapshot struct {
	ID               string
	Description      *Description
	Policy           string
	Created          bool
	Suspended        bool
	Requested        int
	Scheduled        int
	Healthy          int
	Unhealthy        int
	Starting         int
	ExpiredHealthy   int
	ExpiredUnhealthy int
	Waiting          int
	InFlight         int
	FreeSlots        int
	DeploymentError  string
	ScalingState     ScalingState
	LastDecision     Decision
	LastActivity     time.Time
	// StaleGCAt is when a stale service goes once idle (zero: not stale).
	StaleGCAt time.Time
	Instances []InstanceSnapshot
	Failed    []ObservedInstance
}

// Status is Waiter's service status label (resolve-service-status):
// Failing (deployment error), Inactive (nothing requested or scheduled),
// Starting (no healthy instance) or Running.
func (s ServiceSnapshot) Status() string {
	switch {
	case s.DeploymentError != "":
		return "Failing"
	case s.Requested == 0 && s.Scheduled == 0:
		return "Inactive"
	case s.Healthy == 0:
		return "Starting"
	}
	return "Running"
}

// Service returns a snapshot of service id, or false if unknown. It
// allocates; it is meant for API calls, not the request path.
func (e *Engine) Service(id string) (ServiceSnapshot, bool) {
	svc := e.services[id]
	if svc == nil {
		return ServiceSnapshot{}, false
	}
	c := svc.counts(e.now)
	snap := ServiceSnapshot{
		ID: svc.id, Description: svc.desc, Policy: svc.policy, Created: svc.created, Suspended: svc.suspended,
		Requested: svc.requested, Scheduled: svc.scheduled, Healthy: c.healthy, Unhealthy: c.unhealthy,
		Starting: c.starting, ExpiredHealthy: c.expiredHealthy, ExpiredUnhealthy: c.expiredUnhealthy,
		Waiting: svc.waiting, InFlight: svc.inflight, FreeSlots: svc.freeSlots,
		DeploymentError: svc.deploymentError, ScalingState: svc.scalingState, LastDecision: svc.lastDecision,
		LastActivity: svc.lastActivity, StaleGCAt: svc.staleAt, Failed: append([]ObservedInstance(nil), svc.failed...),
	}
	for _, in := range svc.sorted {
		snap.Instances = append(snap.Instances, InstanceSnapshot{
			ID: in.id, Host: in.host, Port: in.port, StartedAt: in.startedAt, Healthy: in.healthy,
			Starting: in.starting(e.now, svc.desc.GracePeriod), Expired: in.expired(), Ejected: in.ejected,
			EjectedUntil: in.ejectedUntil, ConsecutiveFailures: in.consecutiveFailures,
			Killed: in.killed, Locked: in.locked, InFlight: in.inflight,
		})
	}
	sort.SliceStable(snap.Instances, func(i, j int) bool { return snap.Instances[i].StartedAt.Before(snap.Instances[j].StartedAt) })
	return snap, true
}
