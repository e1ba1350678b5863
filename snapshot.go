package waiter

import (
	"time"

	"github.com/waiter-go/waiter/engine"
)

// ServiceSnapshot is the router's view of one service at one moment. The
// driver fills it from the engine's own snapshot (engine.ServiceSnapshot)
// plus the few facts only the driver knows (request totals, the last
// request time, recently killed instances), so the API shows what the
// engine decided rather than a second bookkeeping of it.
type ServiceSnapshot struct {
	ID          string
	Description *engine.Description
	// Status is the engine's label (Running, Starting, Failing, Inactive).
	// It is empty for a service the router does not run (a stored
	// description), and serviceStatus then derives it from the counts.
	Status string
	// Observed is set once the scheduler has reported the service;
	// Requested and Scheduled are its counts (Marathon instances and tasks).
	Observed  bool
	Requested int
	Scheduled int
	// Instances are the live instances, healthy or not, the engine still
	// routes to or may route to; Failed and Killed the most recent failed
	// and killed ones (at most about ten each).
	Instances []InstanceSnapshot
	Failed    []InstanceSnapshot
	Killed    []InstanceSnapshot
	// Waiting requests are queued for a slot; InFlight ones are proxied.
	Waiting  int
	InFlight int
	// FreeSlots counts the slots requests could take now.
	FreeSlots int
	// TotalRequests counts every request admitted since the router started.
	TotalRequests   uint64
	LastRequestTime time.Time
	// LastActivity is the engine's idea of the last use (requests and
	// starts); idle removal counts from it.
	LastActivity time.Time
	// StaleGCAt is set when every token version that reached the service
	// was edited: it goes once idle from then (zero: not stale).
	StaleGCAt time.Time
	Suspended bool
	// DeploymentError is the engine's current deployment error, empty once
	// an instance is healthy.
	DeploymentError string
	// ScalingState is "scale-up", "scale-down" or "stable".
	ScalingState string
	// Counts of the engine's instances by state (killed ones excluded).
	Starting         int
	ExpiredHealthy   int
	ExpiredUnhealthy int
	// Autoscaler is the scaling policy's view; zero for a service the
	// router does not run.
	Autoscaler AutoscalerSnapshot
	// Counters are what happened to the service on this router.
	Counters ServiceCounters
}

// ServiceCounters count what happened to a service since this router
// started running it (they start again from zero when the service is
// deleted and created anew).
type ServiceCounters struct {
	// ColdStarts counts requests that had to wait while the service had
	// no healthy instance: the simulator's definition (sim/requests.go),
	// so a scenario's cold starts and a router's are the same measure.
	ColdStarts uint64
	// Launched counts instances the scheduler listed for the first time
	// (Waiter's launch tracker: a new instance id).
	Launched uint64
	// Killed counts instances this router killed: scale-down and
	// operator kills.
	Killed uint64
	// Failed counts instances the scheduler reported failed.
	Failed uint64
}

// Desired is the instance count the scaling policy last asked for, or
// the requested count before its first decision (engine.Load.Desired).
func (s ServiceSnapshot) Desired() int {
	if s.Autoscaler.Decided {
		return s.Autoscaler.Decision.ScaleTo
	}
	return s.Requested
}

// AutoscalerSnapshot is what the scaling policy last decided for a service.
type AutoscalerSnapshot struct {
	// Policy names the policy scaling the service ("waiter", "knative").
	Policy string
	// Decided is false until the policy's first decision.
	Decided bool
	// Decision is the latest one: change, target count and the policy's
	// continuous target.
	Decision engine.Decision
}

// InstanceSnapshot is one instance as the scheduler last reported it, plus
// the engine's routing state and the requests this router has on it.
type InstanceSnapshot struct {
	engine.ObservedInstance
	InFlight int
	// Starting: not healthy yet and still inside the grace period.
	Starting bool
	// Expired instances are replaced by the autoscaler and routed to last.
	Expired bool
	// Ejected instances get no requests until EjectedUntil.
	Ejected             bool
	EjectedUntil        time.Time
	ConsecutiveFailures int
	// Locked while a kill is in flight; Killed once it succeeded.
	Locked bool
	Killed bool
}

// Healthy counts the healthy instances of s.
func (s ServiceSnapshot) Healthy() int {
	n := 0
	for _, in := range s.Instances {
		if in.Healthy {
			n++
		}
	}
	return n
}

// ServiceLoad is the cheap per-service summary /metrics exports.
type ServiceLoad struct {
	ID string
	// Name is the service's name parameter (empty when it has none).
	Name string
	engine.Load
	TotalRequests uint64
	Counters      ServiceCounters
}
