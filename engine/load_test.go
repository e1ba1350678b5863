package engine

import (
	"testing"
	"time"
)

// Load's Desired is Requested until the policy decides, then the policy's
// ScaleTo, which may exceed Requested while the executor holds a scale-up
// back (here: the resource quanta allow 4 more instances per step).
func TestLoadDesiredFollowsThePolicy(t *testing.T) {
	h := newHarness(t, Config{QuantaCPUs: 4})
	d := mustDesc(t, Params{"cpus": 1.0, "scale-up-factor": 0.9, "max-instances": 100.0})
	for id := RequestID(1); id <= 50; id++ {
		h.arrive(id, d)
	}
	h.observe(d, 1, healthyAt("a", epoch))
	l, _ := h.e.ServiceLoad(d.ID)
	if l.Desired != l.Requested || l.ScalingState != ScalingStable {
		t.Fatalf("before any decision: desired %d, requested %d, state %v; want desired = requested, stable", l.Desired, l.Requested, l.ScalingState)
	}
	h.advanceBy(2 * time.Second)
	l, _ = h.e.ServiceLoad(d.ID)
	snap, _ := h.e.Service(d.ID)
	if l.Desired != snap.LastDecision.ScaleTo || l.ScalingState != ScalingUp {
		t.Errorf("desired %d, state %v; want the decision's %d, scale-up", l.Desired, l.ScalingState, snap.LastDecision.ScaleTo)
	}
	if l.Requested != 5 || l.Desired <= l.Requested {
		t.Errorf("requested %d, desired %d; want 5 requested (quanta) and more desired", l.Requested, l.Desired)
	}
}

// Load carries the current deployment error, and drops it once the
// scheduler stops reporting it.
func TestLoadCarriesTheDeploymentError(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	const why = "run-as-user alice does not exist on this host"
	h.step(Event{Kind: EvServiceObserved, Service: d.ID, Observation: &Observation{
		Exists: true, Requested: 1, DeploymentError: why}})
	if l, _ := h.e.ServiceLoad(d.ID); l.DeploymentError != why {
		t.Errorf("deployment error %q, want the scheduler's reason", l.DeploymentError)
	}
	h.observe(d, 1, healthyAt("a", h.now))
	if l, _ := h.e.ServiceLoad(d.ID); l.DeploymentError != "" {
		t.Errorf("deployment error %q after an instance became healthy, want none", l.DeploymentError)
	}
}

func TestLoadShowsKnativePanic(t *testing.T) {
	h := newHarness(t, Config{DefaultPolicy: KnativePolicyName})
	d := mustDesc(t, Params{"concurrency-level": 10.0, "max-instances": 500.0})
	h.arrive(1, d)
	h.observe(d, 1, healthyAt("a", epoch))
	h.advanceBy(2 * time.Second)
	if l, _ := h.e.ServiceLoad(d.ID); l.Panicking {
		t.Fatalf("one request on one instance of concurrency 10: panicking %+v", l)
	}
	for id := RequestID(2); id <= 80; id++ {
		h.arrive(id, d)
	}
	h.advanceBy(2 * time.Second)
	if l, _ := h.e.ServiceLoad(d.ID); !l.Panicking {
		t.Errorf("80 outstanding on one instance of concurrency 10: not panicking %+v", l)
	}
}

func TestWaiterPolicyNeverPanics(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, Params{"concurrency-level": 1.0, "max-instances": 500.0})
	for id := RequestID(1); id <= 80; id++ {
		h.arrive(id, d)
	}
	h.observe(d, 1, healthyAt("a", epoch))
	h.advanceBy(3 * time.Second)
	if l, _ := h.e.ServiceLoad(d.ID); l.Panicking || l.ScalingState != ScalingUp {
		t.Errorf("Waiter's policy under 80x load: %+v, want scaling up and no panic mode", l)
	}
}
