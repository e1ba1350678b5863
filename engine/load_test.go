package engine

import (
	"testing"
	"time"
)

// The desired count is the policy's own answer, so a report can show the
// gap between what a policy wants and what the executor asked for.
func TestLoadShowsDesiredApartFromRequested(t *testing.T) {
	h := newHarness(t, Config{QuantaCPUs: 4})
	d := mustDesc(t, Params{"cpus": 1.0, "scale-up-factor": 0.9, "max-instances": 100.0})
	for id := RequestID(1); id <= 50; id++ {
		h.arrive(id, d)
	}
	h.observe(d, 1, healthyAt("a", epoch))
	l, ok := h.e.ServiceLoad(d.ID)
	if !ok || l.Desired != l.Requested || l.Requested != 1 {
		t.Fatalf("before the first decision: %+v, want desired = requested = 1", l)
	}
	h.advanceBy(2 * time.Second)
	h.step(Event{Kind: EvScaleResult, Service: d.ID})
	h.observe(d, 5, healthyAt("a", epoch))
	h.advanceBy(3 * time.Second)
	l, _ = h.e.ServiceLoad(d.ID)
	// 50 outstanding at concurrency 1 with an EMA factor of 0.9: the
	// policy wants far more than the 5 the quanta and the pending
	// scale-up let the executor request.
	if l.Requested != 5 || l.Desired <= l.Requested {
		t.Errorf("blocked scale-up: requested %d desired %d, want requested 5 and desired above it", l.Requested, l.Desired)
	}
	if l.Panicking {
		t.Error("Waiter's policy has no panic mode")
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
