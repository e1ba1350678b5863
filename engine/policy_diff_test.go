package engine

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// referenceScale is a plain, literal transcription of Waiter's
// scale-service (scaling.clj), kept deliberately naive so that it can
// serve as an oracle for WaiterScale.
func referenceScale(c WaiterScaleConfig, s WaiterScaleState) (amount, to int, target float64) {
	up := 1 - math.Pow(1-c.ScaleUpFactor, float64(c.ScaleTicks))
	down := 1 - math.Pow(1-c.ScaleDownFactor, float64(c.ScaleTicks))
	ideal := int(math.Ceil(float64(s.OutstandingRequests) * c.ScaleFactor / float64(c.ConcurrencyLevel)))
	smoothedUp := up*float64(ideal) + (1-up)*s.TargetInstances
	smoothedDown := down*float64(ideal) + (1-down)*s.TargetInstances
	if smoothedUp >= s.TargetInstances {
		target = smoothedUp
	} else {
		target = smoothedDown
	}
	if target > float64(c.MaxInstances) {
		target = float64(c.MaxInstances)
	}
	if target < float64(c.MinInstances) {
		target = float64(c.MinInstances)
	}
	delta := target - float64(s.TotalInstances)
	var scaleAmount int
	if (delta > 0 && ideal <= s.TotalInstances && s.TotalInstances >= c.MinInstances) || math.Abs(delta) < c.JitterThreshold {
		scaleAmount = 0
	} else {
		scaleAmount = int(math.Ceil(delta - 0.01))
	}
	scaleTo := s.TotalInstances + scaleAmount
	excess := s.HealthyInstances - scaleTo
	if excess < 0 {
		excess = 0
	}
	replace := int(math.Ceil(float64(s.ExpiredInstances) * c.ExpiredInstanceRestartRate))
	if s.ExpiredInstances > 0 && !(scaleAmount < 0 && s.TotalInstances == s.HealthyInstances) {
		scaleTo = scaleTo + replace - excess
	}
	return scaleTo - s.TotalInstances, scaleTo, target
}

func TestWaiterScaleMatchesReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		minI := rapid.IntRange(1, 20).Draw(t, "min")
		c := WaiterScaleConfig{
			ConcurrencyLevel:           rapid.IntRange(1, 100).Draw(t, "cl"),
			ExpiredInstanceRestartRate: rapid.Float64Range(0.01, 1).Draw(t, "rate"),
			JitterThreshold:            rapid.Float64Range(0, 0.99).Draw(t, "jitter"),
			MinInstances:               minI,
			MaxInstances:               minI + rapid.IntRange(0, 200).Draw(t, "extra"),
			ScaleDownFactor:            rapid.Float64Range(0.0001, 0.9999).Draw(t, "down"),
			ScaleFactor:                rapid.Float64Range(0.01, 2).Draw(t, "sf"),
			ScaleUpFactor:              rapid.Float64Range(0.0001, 0.9999).Draw(t, "up"),
			ScaleTicks:                 rapid.IntRange(0, 10).Draw(t, "ticks"),
		}
		total := rapid.IntRange(0, 300).Draw(t, "total")
		s := WaiterScaleState{
			TotalInstances:      total,
			OutstandingRequests: rapid.IntRange(0, 5000).Draw(t, "outstanding"),
			TargetInstances:     rapid.Float64Range(0, 300).Draw(t, "target"),
			HealthyInstances:    rapid.IntRange(0, total).Draw(t, "healthy"),
			ExpiredInstances:    rapid.IntRange(0, total).Draw(t, "expired"),
		}
		got := WaiterScale(c, s)
		amount, to, target := referenceScale(c, s)
		if got.ScaleAmount != amount || got.ScaleTo != to || got.Target != target {
			t.Fatalf("WaiterScale = %+v, reference = {%d %d %v}", got, amount, to, target)
		}
		if got.Target < float64(c.MinInstances) || got.Target > float64(c.MaxInstances) {
			t.Fatalf("target %v outside [%d, %d]", got.Target, c.MinInstances, c.MaxInstances)
		}
	})
}
