package engine

import (
	"testing"
	"time"
)

func knativeInput(now time.Duration, outstanding, requested, healthy int, d *Description) ScaleInput {
	return ScaleInput{Now: epoch.Add(now), Ticks: 1, Outstanding: outstanding, Requested: requested,
		Scheduled: requested, Healthy: healthy, Desc: d}
}

func TestKnativeStableTargetAndRates(t *testing.T) {
	d := mustDesc(t, Params{"concurrency-level": 10.0, "max-instances": 100.0})
	s := KnativePolicy{}.NewScaler(d, 1)
	// Steady 14 concurrent requests, target 10 x 0.7 = 7 per instance: 2 instances.
	var dec Decision
	for i := 1; i <= 60; i++ {
		dec = s.Scale(knativeInput(time.Duration(i)*time.Second, 14, 2, 2, d))
	}
	if dec.ScaleTo != 2 {
		t.Errorf("steady 14 at target 7: ScaleTo = %d, want 2", dec.ScaleTo)
	}
	// Load vanishes: scale-down is limited to halving per decision.
	s = KnativePolicy{}.NewScaler(d, 8)
	for i := 1; i <= 60; i++ {
		s.Scale(knativeInput(time.Duration(i)*time.Second, 56, 8, 8, d))
	}
	for i := 61; i <= 200; i++ {
		dec = s.Scale(knativeInput(time.Duration(i)*time.Second, 0, 8, 8, d))
		if dec.ScaleTo < 4 {
			t.Fatalf("second %d: ScaleTo %d below floor(8/2)", i, dec.ScaleTo)
		}
	}
}

func TestKnativePanicModeScalesFastAndHolds(t *testing.T) {
	d := mustDesc(t, Params{"concurrency-level": 1.0, "max-instances": 500.0})
	s := KnativePolicy{}.NewScaler(d, 1)
	for i := 1; i <= 60; i++ {
		s.Scale(knativeInput(time.Duration(i)*time.Second, 1, 2, 2, d))
	}
	// A burst: the 6 s window sees it long before the 60 s one.
	dec := s.Scale(knativeInput(61*time.Second, 70, 2, 2, d))
	ks := s.(*knativeScaler)
	if !ks.panicking {
		t.Fatal("a 50x burst did not enter panic mode")
	}
	if dec.ScaleTo <= 2 {
		t.Errorf("panic decision %d did not scale up", dec.ScaleTo)
	}
	peak := dec.ScaleTo
	// Load drops; within the stable window after the last panic tick the
	// decision never goes below the panic maximum.
	for i := 62; i <= 100; i++ {
		dec = s.Scale(knativeInput(time.Duration(i)*time.Second, 0, peak, peak, d))
		if dec.ScaleTo < peak {
			t.Fatalf("scaled down to %d during panic (peak %d)", dec.ScaleTo, peak)
		}
	}
}

func TestKnativeRetiresIdleServiceAfterWindowAndGrace(t *testing.T) {
	d := mustDesc(t, nil)
	s := KnativePolicy{}.NewScaler(d, 1)
	var dec Decision
	for i := 1; i <= 89; i++ {
		dec = s.Scale(knativeInput(time.Duration(i)*time.Second, 0, 1, 1, d))
	}
	if dec.Retire {
		t.Fatal("retired before stable window + grace")
	}
	dec = s.Scale(knativeInput(91*time.Second, 0, 1, 1, d))
	if !dec.Retire {
		t.Fatal("not retired after 90 s of no traffic")
	}
	if dec.ScaleTo != 1 {
		t.Errorf("ScaleTo %d below min-instances", dec.ScaleTo)
	}
}

func TestEngineRetiresKnativeServiceWhenIdle(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, Params{"scaling-policy": "knative", "idle-timeout-mins": 0.0})
	h.arrive(1, d)
	h.observe(d, 1, healthyAt("a", epoch))
	h.finish(1, OutcomeSuccess)
	acts := h.advanceBy(2 * time.Minute)
	if dels := only(acts, ActDeleteService); len(dels) != 1 || dels[0].Why != "retired by the knative policy" {
		t.Fatalf("knative service not retired: %s", describe(acts))
	}
}
