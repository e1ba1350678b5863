package engine

import "time"

// ScaleInput is what a policy sees of one service at one scaling tick.
// It is a snapshot: policies never call back into the engine.
type ScaleInput struct {
	Now time.Time
	// Ticks is the number of whole scaling intervals since the previous
	// pass (Waiter's scale-ticks); 0 on the first pass.
	Ticks int
	// Outstanding = queued + in-flight requests.
	Outstanding int
	// Concurrency holds the service's outstanding requests sampled once a
	// second since the previous pass, oldest first; the last sample is
	// the latest whole second of the sampling grid at or before Now (the
	// grid starts when the scaler is created). It is what Knative's
	// metric collector would have scraped; the slice is the engine's and
	// valid only during the call.
	Concurrency []float64
	// InFlight and Queued split Outstanding: requests on an instance and
	// requests waiting for one.
	InFlight, Queued int
	// Arrived counts the requests that reached the service since the
	// previous pass (admitted or not); Completed those that finished on
	// an instance. With InFlight they give the arrival rate and the
	// service time (Little's law) a policy can predict from.
	Arrived, Completed int
	// Requested is the scheduler's requested instance count (total-instances).
	Requested int
	// Scheduled is the number of tasks that exist (task-count).
	Scheduled int
	// Healthy is the number of healthy instances.
	Healthy int
	// Expired = expired healthy + min(cap, expired unhealthy) instances.
	Expired int
	// Routers is the number of routers sharing the service's instances
	// (1 without a cluster).
	Routers int
	Desc    *Description
}

// Decision is a policy's answer for one service at one tick.
type Decision struct {
	// ScaleAmount is the change in requested instances (>0 up, <0 down).
	ScaleAmount int
	// ScaleTo is the instance count the service should have.
	ScaleTo int
	// Target is the policy's continuous target (Waiter's EMA), for reports.
	Target float64
	// Retire asks the engine to remove the service (a policy's scale to
	// zero); the engine does so only when nothing is outstanding.
	Retire bool
	// Panicking is true while a Knative policy is in panic mode (it
	// scales on the short window and never down); reports shade it.
	Panicking bool
}

// Policy creates the per-service state of a scaling policy.
type Policy interface {
	// Name is how scenarios, configs and the scaling-policy parameter
	// refer to the policy.
	Name() string
	// NewScaler returns the scaler for a service the engine starts
	// scaling, with what runs when it does.
	NewScaler(d *Description, start ScaleStart) Scaler
}

// ScaleStart is what a policy learns when its scaler is created: the time
// and the instances the scheduler already runs (Waiter's EMA starts at the
// task count; Knative's decider starts in panic mode holding the ready
// count when more than one instance is ready).
type ScaleStart struct {
	Now       time.Time
	Scheduled int
	Healthy   int
}

// Scaler is one service's scaling state under one policy. The engine calls
// Scale once per scaling pass; Scale must be deterministic in its inputs.
type Scaler interface {
	Scale(in ScaleInput) Decision
}

// ScalingState is how /apps reports a service's scaling direction.
type ScalingState uint8

const (
	ScalingStable ScalingState = iota
	ScalingUp
	ScalingDown
)

func (s ScalingState) String() string {
	return [...]string{"stable", "scale-up", "scale-down"}[s]
}

func scalingStateOf(amount int) ScalingState {
	switch {
	case amount > 0:
		return ScalingUp
	case amount < 0:
		return ScalingDown
	}
	return ScalingStable
}

// ConcurrencyFree is implemented by a Policy whose scalers never read
// ScaleInput.Concurrency: the engine then keeps no once-a-second samples
// for its services (Waiter's policy scales on the outstanding count at
// the pass alone). A policy that does not implement it gets the samples.
type ConcurrencyFree interface {
	ConcurrencyFree() bool
}

// needsConcurrency reports whether p's scalers read the samples.
func needsConcurrency(p Policy) bool {
	cf, ok := p.(ConcurrencyFree)
	return !ok || !cf.ConcurrencyFree()
}
