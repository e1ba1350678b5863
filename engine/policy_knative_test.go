package engine

import (
	"testing"
	"time"
)

// kpaDriver feeds a Knative scaler one concurrency sample a second and
// asks for a decision every interval, as the engine does.
type kpaDriver struct {
	s        Scaler
	d        *Description
	now      time.Duration
	interval time.Duration
	buf      []float64
}

func newKPADriver(t *testing.T, p Params, interval time.Duration, healthy int) *kpaDriver {
	d := mustDesc(t, p)
	return &kpaDriver{s: KnativePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: healthy, Healthy: healthy}),
		d: d, interval: interval}
}

// run plays concurrency c with requested = healthy = ready for dur and
// returns the last decision.
func (k *kpaDriver) run(dur time.Duration, c float64, ready int) Decision {
	var dec Decision
	for end := k.now + dur; k.now < end; {
		for i := time.Duration(0); i < k.interval; i += time.Second {
			k.now += time.Second
			k.buf = append(k.buf, c)
		}
		dec = k.s.Scale(ScaleInput{Now: epoch.Add(k.now), Ticks: 1, Outstanding: int(c), Concurrency: k.buf,
			Requested: ready, Scheduled: ready, Healthy: ready, Desc: k.d})
		k.buf = k.buf[:0]
	}
	return dec
}

func TestKnativeStableTargetAndRates(t *testing.T) {
	k := newKPADriver(t, Params{"concurrency-level": 10.0, "max-instances": 100.0}, time.Second, 1)
	// Steady 14 concurrent requests, target 10 x 0.7 = 7 per instance: 2 instances.
	if dec := k.run(60*time.Second, 14, 2); dec.ScaleTo != 2 {
		t.Errorf("steady 14 at target 7: ScaleTo = %d, want 2", dec.ScaleTo)
	}
	// Load vanishes: scale-down is limited to halving per decision.
	k = newKPADriver(t, Params{"concurrency-level": 10.0, "max-instances": 100.0}, time.Second, 8)
	k.run(60*time.Second, 56, 8)
	for i := 0; i < 140; i++ {
		if dec := k.run(time.Second, 0, 8); dec.ScaleTo < 4 {
			t.Fatalf("second %d: ScaleTo %d below floor(8/2)", i, dec.ScaleTo)
		}
	}
}

// The windows are seconds whatever the scaling interval: a step in load
// reaches the full stable average after 60 s at 1 s and at 2 s passes
// (it took 120 s at 2 s when the window counted passes).
func TestKnativeWindowsAreSecondsAtAnyInterval(t *testing.T) {
	for _, interval := range []time.Duration{time.Second, 2 * time.Second} {
		k := newKPADriver(t, Params{"concurrency-level": 1.0, "max-instances": 500.0, "knative-min-scale": 1.0}, interval, 1)
		k.run(60*time.Second, 0, 1)
		// 7 concurrent at target 0.7: 10 instances once the window is full.
		// Ready follows the decision so that panic mode does not hold it.
		ready := 1
		var dec Decision
		for k.now < 150*time.Second {
			dec = k.run(interval, 7, ready)
			ready = dec.ScaleTo
		}
		if dec.Target != 10 {
			t.Errorf("interval %v: decider %v after a full window of 7, want 10", interval, dec.Target)
		}
		// 45 s after the step (35 s into it) the stable average is 7x35/60.
		k = newKPADriver(t, Params{"concurrency-level": 1.0, "max-instances": 500.0, "knative-min-scale": 1.0}, interval, 1)
		k.run(60*time.Second, 0, 1)
		k.run(30*time.Second, 7, 20) // 20 ready: no panic (7/0.7=10 < 2x20)
		if got := k.s.(*knativeScaler).stable.average(); got != 3.5 {
			t.Errorf("interval %v: stable average %v after 30 s of 7 in a 60 s window, want 3.5", interval, got)
		}
		if got := k.s.(*knativeScaler).panic.average(); got != 7 {
			t.Errorf("interval %v: panic average %v, want 7 (6 s window)", interval, got)
		}
	}
}

func TestKnativePanicModeScalesFastAndHolds(t *testing.T) {
	k := newKPADriver(t, Params{"concurrency-level": 1.0, "max-instances": 500.0}, time.Second, 1)
	k.run(60*time.Second, 1, 2)
	// A burst: the 6 s window sees it long before the 60 s one.
	dec := k.run(time.Second, 70, 2)
	if !dec.Panicking {
		t.Fatal("a 50x burst did not enter panic mode")
	}
	if dec.ScaleTo <= 2 {
		t.Errorf("panic decision %d did not scale up", dec.ScaleTo)
	}
	peak := dec.ScaleTo
	// Load drops; within the stable window after the last panic tick the
	// decision never goes below the panic maximum.
	for i := 0; i < 60; i++ {
		if dec = k.run(time.Second, 0, peak); dec.ScaleTo < peak {
			t.Fatalf("scaled down to %d during panic (peak %d)", dec.ScaleTo, peak)
		}
	}
	if dec = k.run(time.Second, 0, peak); dec.Panicking || dec.ScaleTo >= peak {
		t.Errorf("61 s after the last panic tick: panicking %v, ScaleTo %d (peak %d)", dec.Panicking, dec.ScaleTo, peak)
	}
}

// On entering panic the floor is floor(ready/2), Knative's scale-down
// limit, not the count requested before the burst.
func TestKnativePanicFloorIsReadyBased(t *testing.T) {
	k := newKPADriver(t, Params{"concurrency-level": 10.0, "max-instances": 500.0}, time.Second, 1)
	k.run(60*time.Second, 0.5, 1) // one instance, no panic at creation
	// 4 ready of 30 requested; the panic window's 60 concurrent at target
	// 7 wants 9 >= 2x4: panic, and the count is 9, not 30.
	var dec Decision
	for i := 0; i < 6; i++ {
		dec = k.s.Scale(ScaleInput{Now: epoch.Add(61*time.Second + time.Duration(i)*time.Second), Concurrency: []float64{60},
			Requested: 30, Scheduled: 30, Healthy: 4, Desc: k.d})
	}
	if !dec.Panicking || dec.ScaleTo != 9 {
		t.Errorf("panicking %v ScaleTo %d, want panic at 9 (ready-based)", dec.Panicking, dec.ScaleTo)
	}
}

// A scaler created while 5 instances are ready starts in panic holding 5
// for a stable window, then lets the stable average take over.
func TestKnativeStartsInPanicHoldingReadyCount(t *testing.T) {
	k := newKPADriver(t, Params{"concurrency-level": 1.0, "max-instances": 500.0, "knative-min-scale": 1.0}, 2*time.Second, 5)
	var dec Decision
	for k.now < 60*time.Second {
		if dec = k.run(2*time.Second, 0.5, 5); !dec.Panicking || dec.ScaleTo != 5 {
			t.Fatalf("t=%v: panicking %v ScaleTo %d, want panic holding 5", k.now, dec.Panicking, dec.ScaleTo)
		}
	}
	dec = k.run(2*time.Second, 0.5, 5)
	if dec.Panicking || dec.ScaleTo != 2 { // floor(5/2): the scale-down limit
		t.Errorf("after the stable window: panicking %v ScaleTo %d, want stable at 2", dec.Panicking, dec.ScaleTo)
	}
	// One instance ready: no panic at creation.
	k = newKPADriver(t, Params{"concurrency-level": 1.0}, time.Second, 1)
	if dec = k.run(time.Second, 0, 1); dec.Panicking {
		t.Error("a scaler with one ready instance started in panic")
	}
}

// Knative goes inactive when the bounded count first is 0 (the stable
// window has seen no request) and reaches zero a grace period later: the
// service is retired 90 s after its last request, not 150 s.
func TestKnativeScaleToZeroTiming(t *testing.T) {
	// concurrency-level 10: one request is far from panic (1/7 < 2).
	k := newKPADriver(t, Params{"concurrency-level": 10.0}, time.Second, 1)
	k.run(100*time.Second, 1, 1) // active for longer than a stable window
	last := k.now
	var retired time.Duration
	for k.now < last+200*time.Second {
		if dec := k.run(time.Second, 0, 1); dec.Retire {
			retired = k.now - last
			break
		}
	}
	if retired != 90*time.Second {
		t.Errorf("retired %v after the last request, want 90s (60 s window + 30 s grace)", retired)
	}
	// A request while inactive makes it active again.
	k = newKPADriver(t, Params{"concurrency-level": 1.0}, time.Second, 1)
	k.run(100*time.Second, 1, 1)
	k.run(70*time.Second, 0, 1)
	if !k.s.(*knativeScaler).inactive {
		t.Fatal("not inactive 70 s after the last request")
	}
	if dec := k.run(time.Second, 1, 1); dec.Retire || k.s.(*knativeScaler).inactive || dec.ScaleTo != 1 {
		t.Errorf("a request while inactive: retire %v inactive %v ScaleTo %d", dec.Retire, k.s.(*knativeScaler).inactive, dec.ScaleTo)
	}
}

// A service younger than a stable window is not deactivated: it keeps one
// instance until it has been active that long.
func TestKnativeYoungServiceKeepsOne(t *testing.T) {
	k := newKPADriver(t, Params{"concurrency-level": 1.0}, time.Second, 1)
	var retired time.Duration
	for k.now < 300*time.Second {
		if dec := k.run(time.Second, 0, 1); dec.Retire {
			retired = k.now
			break
		} else if dec.ScaleTo != 1 {
			t.Fatalf("t=%v: ScaleTo %d, want 1", k.now, dec.ScaleTo)
		}
	}
	if retired != 90*time.Second { // inactive at 60 s (active for a stable window), zero 30 s later
		t.Errorf("idle service retired at %v, want 90s", retired)
	}
}

func TestKnativeMinScaleNeverRetires(t *testing.T) {
	k := newKPADriver(t, Params{"concurrency-level": 1.0, "knative-min-scale": 2.0, "max-instances": 10.0}, time.Second, 1)
	for k.now < 400*time.Second {
		if dec := k.run(time.Second, 0, 2); dec.Retire || dec.ScaleTo != 2 {
			t.Fatalf("t=%v: retire %v ScaleTo %d with knative-min-scale 2", k.now, dec.Retire, dec.ScaleTo)
		}
	}
}

func TestKnativeInitialScaleIsFloorUntilReached(t *testing.T) {
	k := newKPADriver(t, Params{"concurrency-level": 1.0, "knative-initial-scale": 3.0}, time.Second, 1)
	if dec := k.run(time.Second, 0, 1); dec.ScaleTo != 3 {
		t.Fatalf("ScaleTo %d before initial scale was reached, want 3", dec.ScaleTo)
	}
	k.run(time.Second, 0, 3) // three ready: initialized
	if dec := k.run(time.Second, 0, 1); dec.ScaleTo != 1 {
		t.Errorf("ScaleTo %d after initial scale was reached, want 1", dec.ScaleTo)
	}
}

func TestKnativeActivationScale(t *testing.T) {
	k := newKPADriver(t, Params{"concurrency-level": 10.0, "knative-activation-scale": 3.0, "knative-min-scale": 1.0}, time.Second, 1)
	if dec := k.run(time.Second, 0.1, 3); dec.Target != 3 {
		t.Errorf("a little traffic with activation-scale 3: decider %v, want 3", dec.Target)
	}
	k.run(60*time.Second, 0, 3)
	if dec := k.run(time.Second, 0, 3); dec.Target != 1 { // floor(3/2) limits the fall
		t.Errorf("no traffic: decider %v, want 1", dec.Target)
	}
}

func TestKnativeScaleDownDelay(t *testing.T) {
	p := Params{"concurrency-level": 1.0, "knative-scale-down-delay-secs": 20.0, "max-instances": 500.0}
	k := newKPADriver(t, p, 2*time.Second, 1)
	k.run(60*time.Second, 7, 10) // 10 wanted, 10 ready: no panic
	// The decider wants fewer as the 60 s window forgets the 7s; the
	// delay keeps the highest count of the last 20 s.
	k2 := newKPADriver(t, Params{"concurrency-level": 1.0, "max-instances": 500.0}, 2*time.Second, 1)
	k2.run(60*time.Second, 7, 10)
	var firstDrop, firstDropDelayed time.Duration
	for i := 0; i < 60 && (firstDrop == 0 || firstDropDelayed == 0); i++ {
		if dec := k2.run(2*time.Second, 0.7, 10); dec.Target < 10 && firstDrop == 0 {
			firstDrop = k2.now
		}
		if dec := k.run(2*time.Second, 0.7, 10); dec.Target < 10 && firstDropDelayed == 0 {
			firstDropDelayed = k.now
		}
	}
	// Ten 2 s indices: the higher count is kept 18 to 20 s.
	if gap := firstDropDelayed - firstDrop; firstDrop == 0 || gap < 18*time.Second || gap > 20*time.Second {
		t.Errorf("first decrease at %v without delay and %v with 20 s delay, want 18-20 s apart", firstDrop, firstDropDelayed)
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

// The engine samples outstanding requests once a second between passes:
// at a 2 s interval a pass sees two samples, the one in between taken
// when the count changed.
func TestEngineSamplesConcurrencyEverySecond(t *testing.T) {
	rec := &recordingPolicy{}
	h := newHarness(t, Config{ScalingInterval: 2 * time.Second, Policies: map[string]Policy{"rec": rec}, DefaultPolicy: "rec"})
	d := mustDesc(t, nil)
	h.arrive(1, d)
	h.observe(d, 1, healthyAt("a", epoch))
	h.advance(2 * time.Second) // scaler created, first sample: 1 outstanding
	h.arrive(2, d)
	h.arrive(3, d)
	h.advance(1500 * time.Millisecond) // 3 outstanding at +3 s
	h.finish(1, OutcomeSuccess)        // at +3.5 s: takes the +3 s sample
	h.advance(500 * time.Millisecond)  // pass at +4 s
	if len(rec.inputs) == 0 {
		t.Fatal("no pass reached the policy")
	}
	got := rec.inputs[len(rec.inputs)-1]
	if len(got) != 2 || got[0] != 3 || got[1] != 2 {
		t.Errorf("samples at the +4 s pass = %v, want [3 2]", got)
	}
}

type recordingPolicy struct{ inputs [][]float64 }

func (p *recordingPolicy) Name() string { return "rec" }
func (p *recordingPolicy) NewScaler(*Description, ScaleStart) Scaler {
	return recordingScaler{p}
}

type recordingScaler struct{ p *recordingPolicy }

func (s recordingScaler) Scale(in ScaleInput) Decision {
	s.p.inputs = append(s.p.inputs, append([]float64(nil), in.Concurrency...))
	return Decision{ScaleTo: in.Requested}
}
