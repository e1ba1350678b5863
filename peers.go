package waiter

import (
	"context"
	"errors"

	"github.com/waiter-go/waiter/engine"
)

// ClusterRouter is implemented by Routers that are part of a cluster of
// routers (the production driver). The HTTP edge uses it for
// /apps/{id}?include=metrics and DELETE /apps/{id}?timeout=; a Router
// without it answers for itself alone.
type ClusterRouter interface {
	// ClusterMetrics returns service id's counters on every router that
	// knows it, and their sum; false when no router does.
	ClusterMetrics(ctx context.Context, id string) (ClusterMetrics, bool)
	// AwaitDeleted waits until no router knows service id any more, or
	// ctx ends (an error naming the routers that still do).
	AwaitDeleted(ctx context.Context, id string) error
}

// ClusterMetrics are one service's counters across the cluster.
type ClusterMetrics struct {
	// Routers holds each router's counters, by router id.
	Routers map[string]engine.ServiceCounters
	// Errors names the routers that could not answer, and why.
	Errors map[string]string
	// Aggregate is the sum over Routers (SumCounters).
	Aggregate engine.ServiceCounters
}

// SumCounters adds the routers' counters of service id: counts are summed
// and the last request is the latest (Waiter's merge-service-metrics).
func SumCounters(id string, by map[string]engine.ServiceCounters) engine.ServiceCounters {
	sum := engine.ServiceCounters{Service: id}
	for _, c := range by {
		sum.Outstanding += c.Outstanding
		sum.Waiting += c.Waiting
		sum.SlotsInUse += c.SlotsInUse
		sum.SlotsAvailable += c.SlotsAvailable
		sum.SlotsReceived += c.SlotsReceived
		if c.LastRequest.After(sum.LastRequest) {
			sum.LastRequest = c.LastRequest
		}
	}
	return sum
}

// Errors of the kill protocol between routers.
var (
	// ErrNothingToKill: a router asked to kill one instance of a service
	// for the leader holds no killable one. 404.
	ErrNothingToKill = errors.New("no killable instance")
)
