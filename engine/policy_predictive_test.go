package engine

import (
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// predictiveInput is one pass of a service with its counts.
func predictiveInput(at time.Duration, d *Description, requested, healthy, inflight, queued, arrived, completed int) ScaleInput {
	return ScaleInput{Now: epoch.Add(at), Ticks: 1, Outstanding: inflight + queued, InFlight: inflight, Queued: queued,
		Arrived: arrived, Completed: completed, Requested: requested, Scheduled: requested, Healthy: healthy, Desc: d}
}

// A cold start at 20 rps: one instance starting, the queue growing by 20
// a second for 10 s, then the instances serve and the queue is gone.
// The predictive policy asks for the whole backlog's capacity at its
// first pass (Waiter's EMA ramps toward the queue pass by pass), and once
// the queue is drained it is back at the steady need within the
// scale-down delay, where Waiter still holds most of its peak.
func TestPredictiveColdStartFansOutOnceAndGivesBack(t *testing.T) {
	d := mustDesc(t, Params{"concurrency-level": 1.0, "max-instances": 500.0})
	pred := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: 1})
	wait := WaiterPolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: 1})
	first := pred.Scale(predictiveInput(0, d, 1, 0, 0, 20, 0, 0)).ScaleTo
	if first < 10 {
		t.Fatalf("cold start with 20 queued: first pass asked for %d instances, want the backlog's (>= 10) at once", first)
	}
	predReq, waitReq, waitPeak := first, 1, 1
	for s := 1; s <= 10; s++ {
		q := 20 + 20*s
		predReq = max(predReq, pred.Scale(predictiveInput(time.Duration(s)*time.Second, d, predReq, 0, 0, q, 20, 0)).ScaleTo)
		waitReq = max(waitReq, wait.Scale(predictiveInput(time.Duration(s)*time.Second, d, waitReq, 0, 0, q, 20, 0)).ScaleTo)
	}
	waitPeak = waitReq
	// Served: 2 busy of 100 ms requests at 20 rps, nothing waits.
	for s := 11; s <= 80; s++ {
		at := time.Duration(s) * time.Second
		predReq = pred.Scale(predictiveInput(at, d, predReq, predReq, 2, 0, 20, 20)).ScaleTo
		waitReq = wait.Scale(predictiveInput(at, d, waitReq, waitReq, 2, 0, 20, 20)).ScaleTo
	}
	if predReq > 4 {
		t.Errorf("70 s after the queue drained at 2 busy: predictive holds %d instances, want the steady need (<= 4)", predReq)
	}
	if waitReq < waitPeak/2 {
		t.Errorf("Waiter gave back its cold start (%d of %d) within 70 s; the comparison assumes it does not", waitReq, waitPeak)
	}
}

// A clump of arrivals in one pass (the Azure trace replays invocations of
// the same second together) is not taken for a rate: with long requests
// every predicted arrival would need a slot of its own. Two passes at
// that rate are.
func TestPredictiveClumpIsNotARate(t *testing.T) {
	d := mustDesc(t, Params{"concurrency-level": 4.0, "max-instances": 100.0})
	run := func(clumps int) int {
		s := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: 1})
		for i := 1; i <= 30; i++ { // quiet, one long request running
			s.Scale(predictiveInput(time.Duration(i)*time.Second, d, 1, 1, 1, 0, 0, 0))
		}
		to := 1
		for i := 0; i < clumps; i++ {
			to = s.Scale(predictiveInput(time.Duration(31+i)*time.Second, d, 1, 1, 4, 13*(i+1), 16, 0)).ScaleTo
		}
		return to
	}
	// One clump: the queue plus what the 10 s average (1.5 rps) predicts
	// for the start-up time, about 11; two passes at 16 rps: what 8 rps
	// (16 at its Poisson lower bound) brings in 20 s, about 58.
	once, twice := run(1), run(2)
	if once > 12 {
		t.Errorf("one clump of 16 with 13 queued asked for %d instances, want the queue and the average's (<= 12)", once)
	}
	if twice < 3*once {
		t.Errorf("16 arrivals a second for two passes asked for %d instances, one clump %d: want the rate believed (3x)", twice, once)
	}
}

// Instances lost while the requested count holds (crashes) are replaced
// and kept as spares: the loss rate x FailureCover.
func TestPredictiveKeepsSparesForLostInstances(t *testing.T) {
	d := mustDesc(t, Params{"concurrency-level": 2.0, "max-instances": 40.0})
	base := func(crash bool) int {
		s := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: 2})
		req := 2
		for i := 1; i <= 600; i++ {
			healthy := req
			if crash && i%25 == 0 { // one instance of the service dies every 25 s
				healthy--
			}
			req = s.Scale(predictiveInput(time.Duration(i)*time.Second, d, req, healthy, 2, 0, 20, 20)).ScaleTo
		}
		return req
	}
	steady, crashing := base(false), base(true)
	if steady > 3 {
		t.Errorf("no losses, 2 busy: %d instances, want the steady need (<= 3)", steady)
	}
	// 0.04 losses/s x 180 s ~ 7 spares, less while the average warms up.
	if crashing < steady+4 {
		t.Errorf("an instance lost every 25 s: %d instances, want spares above the steady %d", crashing, steady)
	}
}

// With three routers each holds about a third of the requests while the
// instance counts are the scheduler's: the leader, scaling its own counts
// by its share of the cluster's outstanding requests, asks for what one
// router seeing everything would.
func TestPredictiveSizesForTheClusterNotTheRouter(t *testing.T) {
	d := mustDesc(t, Params{"concurrency-level": 4.0, "max-instances": 200.0})
	alone := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: 2})
	third := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: 2})
	reqA, reqT := 2, 2
	for i := 1; i <= 300; i++ {
		at := time.Duration(i) * time.Second
		// 300 rps of 100 ms requests: 30 in flight in the cluster.
		in := predictiveInput(at, d, reqA, reqA, 30, 0, 300, 300)
		reqA = alone.Scale(in).ScaleTo
		in = predictiveInput(at, d, reqT, reqT, 10, 0, 100, 100)
		in.Outstanding = 30
		reqT = third.Scale(in).ScaleTo
	}
	if reqA < 10 || reqT < reqA-1 || reqT > reqA+1 {
		t.Errorf("30 busy in the cluster: %d instances from one router's view, %d from a router holding a third; want the same (>= 10)", reqA, reqT)
	}
}

// A queue that outlives the start-up estimate although the healthy
// instances counted on could have drained it (their slots are another
// router's, or they do not answer) gets a slot per waiting request.
func TestPredictiveStuckQueueGetsASlotPerRequest(t *testing.T) {
	d := mustDesc(t, Params{"concurrency-level": 4.0, "max-instances": 200.0})
	s := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: 10})
	req := 10
	var early, late int
	for i := 1; i <= 30; i++ {
		// 80 wait, none served, 10 healthy instances counted.
		req = s.Scale(predictiveInput(time.Duration(i)*time.Second, d, req, req, 0, 80, 0, 0)).ScaleTo
		if i == 5 {
			early = req
		}
	}
	late = req
	if early >= 27 {
		t.Errorf("80 queued for 5 s: %d instances, want the drain estimate, not a slot each (< 27)", early)
	}
	if late < 27 {
		t.Errorf("80 queued for 30 s, beyond the 20 s start-up estimate: %d instances, want a slot per request (>= 27)", late)
	}
}

// Steady load: 40 rps of 100 ms requests on concurrency-level 1 keeps 4
// busy; at 0.75 utilisation that is 5.33 instances, whatever it started
// from.
func TestPredictiveSteadyNeedFromLittlesLaw(t *testing.T) {
	d := mustDesc(t, Params{"concurrency-level": 1.0})
	s := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: 1})
	req := 1
	var dec Decision
	for i := 1; i <= 600; i++ {
		dec = s.Scale(predictiveInput(time.Duration(i)*time.Second, d, req, req, 4, 0, 40, 40))
		req = dec.ScaleTo
	}
	// The target is 4 / 0.75 = 5.33; any count between 4 / 0.85 and 4 /
	// 0.6 busy is inside the band and holds.
	if req < 5 || req > 6 || math.Abs(dec.Target-4/0.75) > 0.01 {
		t.Errorf("steady 4 busy at 0.75: %d instances (target %.2f), want 5 or 6 (target 5.33)", req, dec.Target)
	}
	// Between the thresholds (0.6 and 0.85 busy) the count holds.
	for i := 601; i <= 900; i++ {
		if dec = s.Scale(predictiveInput(time.Duration(i)*time.Second, d, 6, 6, 4, 0, 40, 40)); dec.ScaleTo != 6 {
			t.Fatalf("4 busy of 6 (0.67): ScaleTo %d, want 6 (no churn)", dec.ScaleTo)
		}
	}
}

// When the load falls the count follows after the scale-down delay, and
// a service with nothing arriving, waiting or running for a minute is
// retired.
func TestPredictiveScalesDownOnIdlenessAndRetires(t *testing.T) {
	d := mustDesc(t, Params{"concurrency-level": 1.0, "max-instances": 50.0})
	s := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: 10})
	for i := 1; i <= 120; i++ {
		s.Scale(predictiveInput(time.Duration(i)*time.Second, d, 10, 10, 8, 0, 80, 80))
	}
	downAt := 0
	for i := 121; i <= 400 && downAt == 0; i++ {
		// One request in flight: ten instances are idle.
		if dec := s.Scale(predictiveInput(time.Duration(i)*time.Second, d, 10, 10, 1, 0, 10, 10)); dec.ScaleTo < 10 {
			downAt = i
		}
	}
	if downAt < 180 || downAt > 200 {
		t.Errorf("load fell at 121 s: first scale-down at %d s, want after the 60 s delay", downAt)
	}
	retireAt := 0
	for i := downAt + 1; i <= 600 && retireAt == 0; i++ {
		if dec := s.Scale(predictiveInput(time.Duration(i)*time.Second, d, 2, 2, 0, 0, 0, 0)); dec.Retire {
			retireAt = i
		}
	}
	if retireAt != downAt+60 {
		t.Errorf("idle from %d s: retired at %d s, want 60 s later", downAt+1, retireAt)
	}
}

// A burst that queues gets its capacity in one step.
func TestPredictiveBurstScalesUpAtOnce(t *testing.T) {
	d := mustDesc(t, Params{"concurrency-level": 4.0, "max-instances": 200.0})
	s := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: 2})
	for i := 1; i <= 120; i++ {
		s.Scale(predictiveInput(time.Duration(i)*time.Second, d, 2, 2, 2, 0, 20, 20))
	}
	dec := s.Scale(predictiveInput(121*time.Second, d, 2, 2, 8, 900, 1000, 80))
	if dec.ScaleTo < 20 {
		t.Errorf("1000 rps burst with 900 queued: ScaleTo %d, want at least 20", dec.ScaleTo)
	}
}

// predictiveStep is one random pass for the property tests.
type predictiveStep struct {
	dt                                   time.Duration
	requested, healthy, inflight, queued int
	arrived, completed                   int
}

func drawPredictiveSteps(t *rapid.T, n int) []predictiveStep {
	steps := make([]predictiveStep, n)
	for i := range steps {
		req := rapid.IntRange(0, 300).Draw(t, "requested")
		steps[i] = predictiveStep{
			dt:        time.Duration(rapid.IntRange(0, 5000).Draw(t, "dt-ms")) * time.Millisecond,
			requested: req,
			healthy:   rapid.IntRange(0, req).Draw(t, "healthy"),
			inflight:  rapid.IntRange(0, 2000).Draw(t, "inflight"),
			queued:    rapid.IntRange(0, 100000).Draw(t, "queued"),
			arrived:   rapid.IntRange(0, 100000).Draw(t, "arrived"),
			completed: rapid.IntRange(0, 100000).Draw(t, "completed"),
		}
	}
	return steps
}

// TestPredictivePolicyProperties: for any history of passes and any
// service bounds, the count stays within [min-instances, max-instances],
// the amount is the change from the requested count, the target is finite
// and not negative, retirement comes only after a pass with no request
// arriving, waiting or running, and the same history gives the same
// decisions.
func TestPredictivePolicyProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		minI := rapid.IntRange(1, 50).Draw(t, "min")
		d := mustDesc(t, Params{
			"concurrency-level": float64(rapid.IntRange(1, 100).Draw(t, "cl")),
			"min-instances":     float64(minI),
			"max-instances":     float64(minI + rapid.IntRange(0, 500).Draw(t, "extra")),
		})
		steps := drawPredictiveSteps(t, rapid.IntRange(1, 60).Draw(t, "passes"))
		a := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: steps[0].requested})
		b := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch, Scheduled: steps[0].requested})
		at := time.Duration(0)
		for i, st := range steps {
			at += st.dt
			in := predictiveInput(at, d, st.requested, st.healthy, st.inflight, st.queued, st.arrived, st.completed)
			dec := a.Scale(in)
			if again := b.Scale(in); again != dec {
				t.Fatalf("pass %d: same history, different decisions %+v and %+v", i, dec, again)
			}
			if dec.ScaleTo < d.MinInstances || dec.ScaleTo > d.MaxInstances || dec.ScaleTo < 0 {
				t.Fatalf("pass %d: ScaleTo %d outside [%d, %d]", i, dec.ScaleTo, d.MinInstances, d.MaxInstances)
			}
			if dec.ScaleAmount != dec.ScaleTo-st.requested {
				t.Fatalf("pass %d: amount %d is not ScaleTo %d - requested %d", i, dec.ScaleAmount, dec.ScaleTo, st.requested)
			}
			if math.IsNaN(dec.Target) || math.IsInf(dec.Target, 0) || dec.Target < 0 {
				t.Fatalf("pass %d: target %v", i, dec.Target)
			}
			if dec.Retire && (st.arrived > 0 || st.inflight > 0 || st.queued > 0) {
				t.Fatalf("pass %d: retired with requests arriving, running or waiting: %+v", i, st)
			}
		}
	})
}

// TestPredictiveQueueNeverLowersTheCountProperties: with the same history,
// more waiting requests in the current pass never ask for fewer instances.
func TestPredictiveQueueNeverLowersTheCountProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := mustDesc(t, Params{"concurrency-level": float64(rapid.IntRange(1, 20).Draw(t, "cl")), "max-instances": 2000.0})
		steps := drawPredictiveSteps(t, rapid.IntRange(1, 30).Draw(t, "passes"))
		extra := rapid.IntRange(1, 10000).Draw(t, "extra-queued")
		a := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch})
		b := PredictivePolicy{}.NewScaler(d, ScaleStart{Now: epoch})
		at := time.Duration(0)
		for i, st := range steps {
			at += st.dt
			in := predictiveInput(at, d, st.requested, st.healthy, st.inflight, st.queued, st.arrived, st.completed)
			if i < len(steps)-1 {
				a.Scale(in)
				b.Scale(in)
				continue
			}
			fewer := a.Scale(in)
			in.Queued += extra
			in.Outstanding += extra
			if more := b.Scale(in); more.ScaleTo < fewer.ScaleTo {
				t.Fatalf("%d more queued asked for %d instances, fewer queued for %d", extra, more.ScaleTo, fewer.ScaleTo)
			}
		}
	})
}

func TestEngineRetiresPredictiveServiceAfterAMinuteIdle(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, Params{"scaling-policy": "predictive", "idle-timeout-mins": 0.0})
	h.arrive(1, d)
	h.observe(d, 1, healthyAt("a", epoch))
	h.advanceBy(5 * time.Second)
	h.finish(1, OutcomeSuccess)
	if dels := only(h.advanceBy(55*time.Second), ActDeleteService); len(dels) != 0 {
		t.Fatalf("retired within a minute of the last request: %s", describe(dels))
	}
	acts := h.advanceBy(10 * time.Second)
	if dels := only(acts, ActDeleteService); len(dels) != 1 || dels[0].Why != "retired by the predictive policy" {
		t.Fatalf("predictive service not retired a minute after its last request: %s", describe(acts))
	}
}
