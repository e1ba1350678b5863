package engine

import "math"

// WaiterPolicyName names Waiter's own autoscaling policy.
const WaiterPolicyName = "waiter"

// WaiterPolicy is Waiter's autoscaler (scaling.clj scale-service): ideal
// instances from outstanding requests, an EMA toward it whose factor is
// normalised to the elapsed seconds, clamping, a jitter threshold, and
// replacement of expired instances.
type WaiterPolicy struct{}

// Name implements Policy.
func (WaiterPolicy) Name() string { return WaiterPolicyName }

// ConcurrencyFree implements ConcurrencyFree: scale-service reads the
// outstanding count at the pass, never the once-a-second samples.
func (WaiterPolicy) ConcurrencyFree() bool { return true }

// NewScaler implements Policy. Like Waiter, the EMA starts at the number
// of tasks the scheduler already runs.
func (WaiterPolicy) NewScaler(_ *Description, start ScaleStart) Scaler {
	return &waiterScaler{target: float64(start.Scheduled)} // its first scale sets the rest
}

type waiterScaler struct {
	target float64
	// The EMA factors normalised to ticks and the parameters of desc:
	// every pass of a steady scaling interval has the same ticks and
	// description, so the two math.Pow calls of NormalizeFactor run once
	// per service, not once per pass, and the pass reads no description
	// (a sixth of a pass over 10,000 services went to math.Pow, much of
	// the rest to cache misses). The cached values are the very values
	// WaiterScale computes, so decisions are bit-for-bit the same.
	up, down float64
	desc     *Description
	ticks    int
	cfg      WaiterScaleConfig
	// ideal is idealInstances of outstanding for cfg (outstanding -1:
	// not computed): the outstanding count of a service seldom changes
	// between passes, and its division and rounding were the longest
	// chain of a pass. (A flag of its own made the scaler 136 bytes, three
	// cache lines a pass missed; 128 bytes take two.)
	outstanding int
	ideal       int
}

func (s *waiterScaler) Scale(in ScaleInput) Decision {
	scaleTo, target := s.scale(in.Desc, in.Ticks, in.Outstanding, in.Requested, in.Healthy, in.Expired)
	return Decision{ScaleAmount: scaleTo - in.Requested, ScaleTo: scaleTo, Target: target}
}

// scale is Scale on the inputs scale-service reads, returning the
// decision's ScaleTo and Target (its ScaleAmount is scaleTo - requested).
// The scaling pass calls it directly for Waiter's policy: a Decision has
// five fields, so the compiler keeps it in memory, and copying it and a
// ScaleInput through the interface cost a third of a pass in stalled
// stores.
func (s *waiterScaler) scale(d *Description, ticks, outstanding, requested, healthy, expired int) (scaleTo int, target float64) {
	if d != s.desc || ticks != s.ticks {
		s.desc, s.ticks = d, ticks
		s.up = NormalizeFactor(d.ScaleUpFactor, ticks)
		s.down = NormalizeFactor(d.ScaleDownFactor, ticks)
		s.cfg = WaiterScaleConfig{
			ConcurrencyLevel:           d.ConcurrencyLevel,
			ExpiredInstanceRestartRate: d.ExpiredInstanceRestartRate,
			JitterThreshold:            d.JitterThreshold,
			MaxInstances:               d.MaxInstances,
			MinInstances:               d.MinInstances,
			ScaleDownFactor:            d.ScaleDownFactor,
			ScaleFactor:                d.ScaleFactor,
			ScaleUpFactor:              d.ScaleUpFactor,
			ScaleTicks:                 ticks,
		}
		s.outstanding = -1 // ideal was for the old cfg
	}
	if outstanding != s.outstanding {
		s.outstanding, s.ideal = outstanding, idealInstances(&s.cfg, outstanding)
	}
	scaleTo, s.target = waiterScale(&s.cfg, s.up, s.down, s.target, requested, s.ideal, healthy, expired)
	return scaleTo, s.target
}

// WaiterScaleConfig are the service parameters scale-service reads.
type WaiterScaleConfig struct {
	ConcurrencyLevel           int
	ExpiredInstanceRestartRate float64
	JitterThreshold            float64
	MaxInstances               int
	MinInstances               int
	ScaleDownFactor            float64
	ScaleFactor                float64
	ScaleUpFactor              float64
	ScaleTicks                 int
}

// WaiterScaleState is the per-service state scale-service reads.
type WaiterScaleState struct {
	TotalInstances      int
	OutstandingRequests int
	TargetInstances     float64
	HealthyInstances    int
	ExpiredInstances    int
}

// NormalizeFactor turns a per-second EMA factor into the factor for n
// elapsed seconds: 1 - (1 - f)^n.
func NormalizeFactor(factor float64, n int) float64 {
	return 1 - math.Pow(1-factor, float64(n))
}

// scaleEpsilon keeps a delta of exactly k from rounding up to k+1.
const scaleEpsilon = 1e-2

// WaiterScale is Waiter's scale-service, step for step (reference 3.3).
func WaiterScale(c WaiterScaleConfig, s WaiterScaleState) Decision {
	scaleTo, target := waiterScale(&c, NormalizeFactor(c.ScaleUpFactor, c.ScaleTicks), NormalizeFactor(c.ScaleDownFactor, c.ScaleTicks),
		s.TargetInstances, s.TotalInstances, idealInstances(&c, s.OutstandingRequests), s.HealthyInstances, s.ExpiredInstances)
	return Decision{ScaleAmount: scaleTo - s.TotalInstances, ScaleTo: scaleTo, Target: target}
}

// waiterScale is WaiterScale with the EMA factors already normalised to
// c.ScaleTicks (up from c.ScaleUpFactor, down from c.ScaleDownFactor),
// the ideal instance count already computed (idealInstances) and the
// state in scalars (building a WaiterScaleState on the stack and copying
// it cost more than the arithmetic). It returns the decision's ScaleTo and
// Target; its ScaleAmount is scaleTo - total.
func waiterScale(c *WaiterScaleConfig, up, down, targetInstances float64, total, ideal, healthy, expiredInstances int) (int, float64) {
	upTarget := up*float64(ideal) + (1-up)*targetInstances
	downTarget := down*float64(ideal) + (1-down)*targetInstances
	target := downTarget
	if upTarget >= targetInstances {
		target = upTarget
	}
	target = fmax(float64(c.MinInstances), fmin(float64(c.MaxInstances), target))

	delta := target - float64(total)
	scaleAmount := 0
	noScaleUpNeeded := delta > 0 && ideal <= total && total >= c.MinInstances
	if !noScaleUpNeeded && math.Abs(delta) >= c.JitterThreshold {
		scaleAmount = int(math.Ceil(delta - scaleEpsilon))
	}
	scaleTo := total + scaleAmount

	if expiredInstances > 0 {
		scalingDown := scaleAmount < 0
		allHealthy := healthy == total
		if !(scalingDown && allHealthy) {
			excess := max(0, healthy-scaleTo)
			replace := int(math.Ceil(float64(expiredInstances) * c.ExpiredInstanceRestartRate))
			scaleTo += replace - excess
		}
	}
	return scaleTo, target
}

// idealInstances is scale-service's ideal instance count for outstanding
// requests: ceil(outstanding x scale-factor / concurrency-level).
func idealInstances(c *WaiterScaleConfig, outstanding int) int {
	return int(math.Ceil(float64(outstanding) * c.ScaleFactor / float64(c.ConcurrencyLevel)))
}

// fmax is math.Max with the common case first: math.Max is not inlined
// and checks for infinities, NaNs and signed zeros before comparing
// (a tenth of a scaling pass). Ties and NaNs go to math.Max itself, so
// the result is math.Max's for every input.
func fmax(x, y float64) float64 {
	if x > y {
		return x
	}
	if y > x {
		return y
	}
	return math.Max(x, y)
}

// fmin is math.Min the way fmax is math.Max.
func fmin(x, y float64) float64 {
	if x < y {
		return x
	}
	if y < x {
		return y
	}
	return math.Min(x, y)
}
