package engine

import (
	"math"
	"time"
)

// KnativePolicyName names the Knative Pod Autoscaler policy.
const KnativePolicyName = "knative"

// KnativePolicy is Knative Serving's KPA (pkg/autoscaler/scaling
// autoscaler.go Scale), adapted to Waiter's engine: concurrency is the
// service's outstanding requests sampled once per scaling pass into 1 s
// buckets; the target per instance is concurrency-level x target
// utilisation; panic mode reacts to the short window. Knative's
// scale-to-zero becomes Waiter's removal of the service: once the stable
// average has been zero for the stable window plus the grace period, the
// decision asks the engine to retire the service (it does so only when
// nothing is outstanding). Zero fields take Knative's defaults.
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
		p.PanicWindow = p.StableWindow / 10
		if p.PanicWindow < time.Second {
			p.PanicWindow = time.Second
		}
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

// NewScaler implements Policy.
func (p KnativePolicy) NewScaler(_ *Description, _ int) Scaler {
	p = p.withDefaults()
	n := int(p.StableWindow / time.Second)
	return &knativeScaler{p: p, buckets: make([]float64, max(n, 1)), panicN: max(int(p.PanicWindow/time.Second), 1)}
}

type knativeScaler struct {
	p KnativePolicy
	// buckets is a ring of per-second concurrency samples over the stable
	// window; filled counts valid buckets (Knative averages over buckets
	// written so far, not the whole window).
	buckets   []float64
	next      int
	filled    int
	panicN    int
	panicking bool
	panicTime time.Time
	maxPanic  int
	zeroSince time.Time
}

func (s *knativeScaler) record(v float64, ticks int) {
	// Seconds that passed without a pass repeat the current value, as a
	// scraper sampling a steady concurrency would have seen it.
	for i := 0; i < max(ticks, 1); i++ {
		s.buckets[s.next] = v
		s.next = (s.next + 1) % len(s.buckets)
		if s.filled < len(s.buckets) {
			s.filled++
		}
	}
}

func (s *knativeScaler) average(n int) float64 {
	n = min(n, s.filled)
	if n == 0 {
		return 0
	}
	sum := 0.0
	for i := 1; i <= n; i++ {
		sum += s.buckets[(s.next-i+len(s.buckets))%len(s.buckets)]
	}
	return sum / float64(n)
}

func (s *knativeScaler) Scale(in ScaleInput) Decision {
	d := in.Desc
	s.record(float64(in.Outstanding), in.Ticks)
	stable := s.average(len(s.buckets))
	panicAvg := s.average(s.panicN)

	target := math.Max(0.01, float64(d.ConcurrencyLevel)*s.p.TargetUtilization)
	ready := max(1, in.Healthy)
	maxUp := int(math.Ceil(s.p.MaxScaleUpRate * float64(ready)))
	maxDown := int(math.Floor(float64(ready) / s.p.MaxScaleDownRate))
	dspc := int(math.Ceil(stable / target))
	dppc := int(math.Ceil(panicAvg / target))
	clamp := func(v, lo, hi int) int { return min(max(v, lo), hi) }
	stableDesired := clamp(dspc, maxDown, maxUp)
	panicDesired := clamp(dppc, maxDown, maxUp)

	overPanic := float64(dppc)/float64(ready) >= s.p.PanicThreshold
	switch {
	case overPanic:
		if !s.panicking {
			s.maxPanic = in.Requested
		}
		s.panicking, s.panicTime = true, in.Now
	case s.panicking && in.Now.Sub(s.panicTime) > s.p.StableWindow:
		s.panicking, s.maxPanic = false, 0
	}
	desired := stableDesired
	if s.panicking {
		desired = max(stableDesired, panicDesired, s.maxPanic)
		s.maxPanic = desired
	}

	retire := false
	if stable == 0 && in.Outstanding == 0 {
		if s.zeroSince.IsZero() {
			s.zeroSince = in.Now
		}
		retire = in.Now.Sub(s.zeroSince) >= s.p.StableWindow+s.p.ScaleToZeroGrace
	} else {
		s.zeroSince = time.Time{}
	}
	desired = clamp(desired, d.MinInstances, d.MaxInstances)
	return Decision{ScaleAmount: desired - in.Requested, ScaleTo: desired, Target: float64(desired), Retire: retire,
		Panicking: s.panicking}
}
