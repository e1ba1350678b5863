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

// NewScaler implements Policy. Like Waiter, the EMA starts at the number
// of tasks the scheduler already runs.
func (WaiterPolicy) NewScaler(_ *Description, start ScaleStart) Scaler {
	return &waiterScaler{target: float64(start.Scheduled)}
}

type waiterScaler struct{ target float64 }

func (s *waiterScaler) Scale(in ScaleInput) Decision {
	d := in.Desc
	dec := WaiterScale(WaiterScaleConfig{
		ConcurrencyLevel:           d.ConcurrencyLevel,
		ExpiredInstanceRestartRate: d.ExpiredInstanceRestartRate,
		JitterThreshold:            d.JitterThreshold,
		MaxInstances:               d.MaxInstances,
		MinInstances:               d.MinInstances,
		ScaleDownFactor:            d.ScaleDownFactor,
		ScaleFactor:                d.ScaleFactor,
		ScaleUpFactor:              d.ScaleUpFactor,
		ScaleTicks:                 in.Ticks,
	}, WaiterScaleState{
		TotalInstances:      in.Requested,
		OutstandingRequests: in.Outstanding,
		TargetInstances:     s.target,
		HealthyInstances:    in.Healthy,
		ExpiredInstances:    in.Expired,
	})
	s.target = dec.Target
	return dec
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
	up := NormalizeFactor(c.ScaleUpFactor, c.ScaleTicks)
	down := NormalizeFactor(c.ScaleDownFactor, c.ScaleTicks)
	ideal := int(math.Ceil(float64(s.OutstandingRequests) * c.ScaleFactor / float64(c.ConcurrencyLevel)))
	upTarget := up*float64(ideal) + (1-up)*s.TargetInstances
	downTarget := down*float64(ideal) + (1-down)*s.TargetInstances
	target := downTarget
	if upTarget >= s.TargetInstances {
		target = upTarget
	}
	target = math.Max(float64(c.MinInstances), math.Min(float64(c.MaxInstances), target))

	total := s.TotalInstances
	delta := target - float64(total)
	scaleAmount := 0
	noScaleUpNeeded := delta > 0 && ideal <= total && total >= c.MinInstances
	if !noScaleUpNeeded && math.Abs(delta) >= c.JitterThreshold {
		scaleAmount = int(math.Ceil(delta - scaleEpsilon))
	}
	scaleTo := total + scaleAmount

	if s.ExpiredInstances > 0 {
		scalingDown := scaleAmount < 0
		allHealthy := s.HealthyInstances == total
		if !(scalingDown && allHealthy) {
			excess := max(0, s.HealthyInstances-scaleTo)
			replace := int(math.Ceil(float64(s.ExpiredInstances) * c.ExpiredInstanceRestartRate))
			scaleTo += replace - excess
		}
	}
	return Decision{ScaleAmount: scaleTo - total, ScaleTo: scaleTo, Target: target}
}
