package router

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// The snapshot is the engine's: a service is Failing as soon as the
// engine computes a deployment error from an observation, before any
// request was refused for it.
func TestFailingWithoutRequest(t *testing.T) {
	d := desc(t, nil)
	h := newHarnessWith(t, func(s *fakesched.Scheduler) engine.Scheduler {
		return failing{Scheduler: s, ids: map[string]bool{d.ID: true}}
	}, nil)
	h.sched.StartUnhealthy(d.ID, true)
	h.d.Start(d)
	h.waitOp(t, "create", d.ID)
	h.observe(t)

	snap := h.service(t, d.ID)
	if snap.Status != "Failing" || snap.DeploymentError != engine.DeployBadStartupCommand {
		t.Fatalf("status %q, deployment error %q; want Failing, %q", snap.Status, snap.DeploymentError, engine.DeployBadStartupCommand)
	}
	if snap.TotalRequests != 0 || len(snap.Failed) != 2 || len(snap.Instances) != 1 || snap.Healthy() != 0 {
		t.Errorf("requests %d, failed %d, instances %d, healthy %d", snap.TotalRequests, len(snap.Failed), len(snap.Instances), snap.Healthy())
	}
	// And requests are refused at once with it.
	_, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
	var ee *engine.Error
	if !errors.As(err, &ee) || ee.Reason != engine.ReasonDeploymentError {
		t.Errorf("Admit = %v, want a deployment error", err)
	}
}

// Start creates a service through EvStartService: no request id is used,
// nothing is queued or counted as a request, and the first request is
// served by the instance it started.
func TestStartUsesNoRequest(t *testing.T) {
	h := newHarness(t)
	d := desc(t, nil)
	h.d.Start(d)
	h.waitOp(t, "create", d.ID)
	h.observe(t)
	if n := h.d.nextID.Load(); n != 0 {
		t.Errorf("Start used %d request ids", n)
	}
	snap := h.service(t, d.ID)
	if snap.Status != "Running" || snap.TotalRequests != 0 || !snap.LastRequestTime.IsZero() ||
		snap.LastActivity.IsZero() || snap.Waiting != 0 || snap.InFlight != 0 || snap.Requested != 1 {
		t.Errorf("after Start: %+v", snap)
	}
	g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatal(err)
	}
	h.d.Release(g, engine.OutcomeSuccess)
	if n := h.sched.Calls("create"); n != 1 {
		t.Errorf("%d creates, want 1", n)
	}
}

// The snapshot carries the autoscaler's view: the service's policy (its
// scaling-policy parameter, else the router's default) and the latest
// decision once a scaling pass has made one.
func TestAutoscalerInSnapshot(t *testing.T) {
	h := newHarnessWith(t, nil, func(c *Config) {
		c.Engine.ScalingInterval = 10 * time.Millisecond
		c.Engine.DefaultPolicy = engine.KnativePolicyName
	})
	w := desc(t, engine.Params{"scaling-policy": "waiter"})
	k := desc(t, engine.Params{"name": "uses-the-default"})
	h.d.Start(w)
	h.d.Start(k)
	h.waitOp(t, "create", w.ID)
	h.observe(t)

	if got := h.service(t, k.ID).Autoscaler.Policy; got != engine.KnativePolicyName {
		t.Errorf("default policy %q, want knative", got)
	}
	var snap waiter.ServiceSnapshot
	h.advanceUntil(t, "a scaling decision", 10*time.Millisecond, func() bool {
		snap = h.service(t, w.ID)
		return snap.Autoscaler.Decided
	})
	a := snap.Autoscaler
	if a.Policy != engine.WaiterPolicyName || a.Decision.ScaleTo != 1 || a.Decision.ScaleAmount != 0 || a.Decision.Target != 1 {
		t.Errorf("autoscaler %+v, want waiter scaling to 1", a)
	}
	if snap.ScalingState != "stable" {
		t.Errorf("scaling state %q", snap.ScalingState)
	}
}
