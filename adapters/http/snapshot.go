package waiterhttp

import (
	"time"

	"github.com/waiter-go/waiter/engine"
)

// ServiceSnapshot is the router's view of one service at one moment.
type ServiceSnapshot struct {
	ID          string
	Description *engine.Description
	// Observed is set once the scheduler has reported the service;
	// Requested and Scheduled are its counts (Marathon instances and tasks).
	Observed  bool
	Requested int
	Scheduled int
	// Instances are the live instances, healthy or not; Failed and Killed
	// the most recent failed and killed ones (at most about ten each).
	Instances []InstanceSnapshot
	Failed    []InstanceSnapshot
	Killed    []InstanceSnapshot
	// Waiting requests are queued for a slot; InFlight ones are proxied.
	Waiting  int
	InFlight int
	// TotalRequests counts every request admitted since the router started.
	TotalRequests   uint64
	LastRequestTime time.Time
	Suspended       bool
	// DeploymentError is the message of the latest deployment error the
	// engine reported for the service, cleared once an instance is healthy.
	DeploymentError string
	// ScalingState is "scale-up", "scale-down" or "stable".
	ScalingState string
}

// InstanceSnapshot is one instance as the scheduler last reported it, plus
// the requests this router has on it.
type InstanceSnapshot struct {
	engine.ObservedInstance
	InFlight int
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
