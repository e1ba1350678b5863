package engine

import (
	"math"
	"time"
)

// KnativePolicyName names the Knative Pod Autoscaler policy.
const KnativePolicyName = "knative"

// KnativePolicy is Knative Serving's KPA as of v0.42.2, in two parts:
//
//   - the decider (pkg/autoscaler/scaling autoscaler.go Scale) fed by the
//     metric collector (pkg/autoscaler/metrics, aggregation): concurrency
//     is the service's outstanding requests sampled once a second
//     (ScaleInput.Concurrency) into 1 s buckets; the stable and panic
//     windows are seconds whatever the scaling interval; the target per
//     instance is concurrency-level x target utilisation; panic mode
//     reacts to the short window and holds its maximum for a stable window;
//     a scaler created while more than one instance is ready starts in
//     panic holding that count, as a restarted Knative autoscaler does;
//     activation-scale and scale-down-delay act as in the decider. The
//     decider's count is the Decision's Target, and equals Knative's at
//     every scaling interval (test/knativediff drives both).
//   - the KPA reconciler (pkg/reconciler/autoscaling/kpa scaler.go): the
//     min-scale, max-scale (max-instances) and initial-scale bounds, and
//     scale to zero: when the bounded count is 0 a service active for a
//     stable window goes inactive, and once inactive for the grace period
//     the decision retires it (Waiter's "zero instances"; the engine does
//     so only when nothing is outstanding). min-scale >= 1 never retires.
//
// The service parameters knative-min-scale, knative-initial-scale,
// knative-activation-scale and knative-scale-down-delay-secs carry
// Knative's annotations. Zero fields take Knative's defaults.
type KnativePolicy struct {
	StableWindow      time.Duration // 60 s
	PanicWindow       time.Duration // 6 s (10 % of the stable window)
	PanicThreshold    float64       // 2.0 (200 %)
	TargetUtilization float64       // 0.7
	MaxScaleUpRate    float64       // 1000
	MaxScaleDownRate  float64       // 2
	ScaleToZeroGrace  time.Duration // 30 s
}

// Name implements Policy.
func (KnativePolicy) Name() string { return KnativePolicyName }

func (p KnativePolicy) withDefaults() KnativePolicy {
	if p.StableWindow <= 0 {
		p.StableWindow = 60 * time.Second
	}
	if p.PanicWindow <= 0 {
		p.PanicWindow = max(p.StableWindow/10, time.Second)
	}
	if p.PanicThreshold <= 0 {
		p.PanicThreshold = 2
	}
	if p.TargetUtilization <= 0 {
		p.TargetUtilization = 0.7
	}
	if p.MaxScaleUpRate <= 0 {
		p.MaxScaleUpRate = 1000
	}
	if p.MaxScaleDownRate <= 0 {
		p.MaxScaleDownRate = 2
	}
	if p.ScaleToZeroGrace <= 0 {
		p.ScaleToZeroGrace = 30 * time.Second
	}
	return p
}

// kpaDelayGranularity is the decider's tickInterval, the granularity of
// its scale-down-delay window (Knative fixes it at 2 s).
const kpaDelayGranularity = 2 * time.Second

// NewScaler implements Policy.
func (p KnativePolicy) NewScaler(d *Description, start ScaleStart) Scaler {
	p = p.withDefaults()
	seconds := func(w time.Duration) int { return int(math.Ceil(float64(w) / float64(time.Second))) }
	s := &knativeScaler{p: p, stable: newKPAWindow(seconds(p.StableWindow)),
		panic: newKPAWindow(seconds(p.PanicWindow)), activeSince: start.Now, maxPanic: start.Healthy}
	// A decider created while more than one instance is ready starts in
	// panic mode holding that count until it has data of its own.
	if start.Healthy > 1 {
		s.panicTime = start.Now
	}
	if delay := d.Knative.ScaleDownDelay; delay > 0 {
		s.delay = newKPAMaxWindow(int(math.Ceil(float64(delay) / float64(kpaDelayGranularity))))
	}
	return s
}

type knativeScaler struct {
	p             KnativePolicy
	stable, panic kpaWindow
	// panicTime is zero outside panic mode; maxPanic is the count panic
	// mode holds (never scaling down while panicking).
	panicTime time.Time
	maxPanic  int
	delay     *kpaMaxWindow // nil without scale-down-delay

	// The reconciler's state: inactive once the bounded count went to 0
	// after a stable window of activity; initialized once the service had
	// initial-scale ready instances.
	activeSince   time.Time
	inactive      bool
	inactiveSince time.Time
	initialized   bool
}

// Scale implements Scaler.
func (s *knativeScaler) Scale(in ScaleInput) Decision {
	for _, v := range in.Concurrency {
		s.stable.record(v)
		s.panic.record(v)
	}
	if s.stable.count == 0 {
		// Knative's collector has no data yet: the decider's result is
		// not valid and nothing changes.
		return Decision{ScaleTo: in.Requested, Target: float64(in.Requested), Panicking: !s.panicTime.IsZero()}
	}
	desired := s.decide(in)
	dec := s.reconcile(in, desired)
	dec.Target = float64(desired)
	dec.Panicking = !s.panicTime.IsZero()
	return dec
}

// decide is the decider's Scale, step for step.
func (s *knativeScaler) decide(in ScaleInput) int {
	d := in.Desc
	target := float64(d.ConcurrencyLevel) * s.p.TargetUtilization
	ready := math.Max(1, float64(in.Healthy))
	maxUp := math.Ceil(s.p.MaxScaleUpRate * ready)
	maxDown := math.Floor(ready / s.p.MaxScaleDownRate)
	dspc := math.Ceil(s.stable.average() / target)
	dppc := math.Ceil(s.panic.average() / target)
	stableDesired := int(math.Min(math.Max(dspc, maxDown), maxUp))
	panicDesired := int(math.Min(math.Max(dppc, maxDown), maxUp))
	if act := d.Knative.ActivationScale; act > 1 {
		if dspc > 0 && act > stableDesired {
			stableDesired = act
		}
		if dppc > 0 && act > panicDesired {
			panicDesired = act
		}
	}

	overPanic := dppc/ready >= s.p.PanicThreshold
	switch {
	case overPanic:
		s.panicTime = in.Now // enter panic, or extend it
	case !s.panicTime.IsZero() && s.panicTime.Add(s.p.StableWindow).Before(in.Now):
		s.panicTime, s.maxPanic = time.Time{}, 0 // the surge reached the stable window
	}
	desired := stableDesired
	if !s.panicTime.IsZero() {
		desired = max(desired, panicDesired)
		// Panic mode never scales down: it holds its maximum.
		s.maxPanic = max(s.maxPanic, desired)
		desired = s.maxPanic
	}
	if s.delay != nil {
		s.delay.record(int(in.Now.Unix())/int(kpaDelayGranularity/time.Second), desired)
		desired = s.delay.current()
	}
	return desired
}

// reconcile is the KPA reconciler's scale: bounds, initial scale and
// scale to zero. It turns the decider's count into the engine's decision.
func (s *knativeScaler) reconcile(in ScaleInput, desired int) Decision {
	d := in.Desc
	k := d.Knative
	initial := max(k.InitialScale, 1)
	if !s.initialized && in.Healthy >= initial {
		s.initialized = true
	}
	lo := k.MinScale
	if initial > 1 && !s.initialized {
		lo = max(lo, initial)
	}
	bounded := min(max(desired, lo), d.MaxInstances)
	hold := Decision{ScaleTo: in.Requested}
	apply := func(n int) Decision {
		n = min(max(n, d.MinInstances), d.MaxInstances)
		return Decision{ScaleAmount: n - in.Requested, ScaleTo: n}
	}
	if bounded > 0 {
		if s.inactive {
			s.inactive, s.activeSince = false, in.Now
		}
		return apply(bounded)
	}
	if !s.inactive {
		if in.Now.Sub(s.activeSince) < s.p.StableWindow {
			return apply(1) // at most one until active for a stable window
		}
		s.inactive, s.inactiveSince = true, in.Now
		return hold // inactive now; instances stay until the grace period
	}
	if in.Now.Sub(s.inactiveSince) >= s.p.ScaleToZeroGrace {
		dec := apply(0)
		dec.Retire = true
		return dec
	}
	return hold
}
