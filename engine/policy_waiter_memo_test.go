package engine

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// The Waiter scaler keeps the EMA factors and the ideal instance count
// between passes (waiterScaler); through any sequence of descriptions,
// elapsed ticks and outstanding counts, its decisions stay bit for bit
// WaiterScale's computed afresh from the same target.
func TestWaiterScalerIsWaiterScale(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var descs []*Description
		for range 3 {
			d := &Description{
				ConcurrencyLevel:           rapid.IntRange(1, 8).Draw(t, "concurrency"),
				ExpiredInstanceRestartRate: rapid.Float64Range(0, 1).Draw(t, "restartRate"),
				JitterThreshold:            rapid.Float64Range(0, 1).Draw(t, "jitter"),
				MinInstances:               rapid.IntRange(0, 2).Draw(t, "min"),
				MaxInstances:               rapid.IntRange(2, 40).Draw(t, "max"),
				ScaleDownFactor:            rapid.Float64Range(0.001, 1).Draw(t, "down"),
				ScaleFactor:                rapid.Float64Range(0.1, 2).Draw(t, "factor"),
				ScaleUpFactor:              rapid.Float64Range(0.001, 1).Draw(t, "up"),
			}
			descs = append(descs, d)
		}
		start := rapid.IntRange(0, 5).Draw(t, "scheduled")
		s := WaiterPolicy{}.NewScaler(descs[0], ScaleStart{Scheduled: start}).(*waiterScaler)
		target := float64(start)
		for range rapid.IntRange(1, 50).Draw(t, "passes") {
			d := rapid.SampledFrom(descs).Draw(t, "desc")
			ticks := rapid.IntRange(1, 3).Draw(t, "ticks")
			outstanding := rapid.IntRange(0, 60).Draw(t, "outstanding")
			requested := rapid.IntRange(0, 40).Draw(t, "requested")
			healthy := rapid.IntRange(0, requested).Draw(t, "healthy")
			expired := rapid.IntRange(0, requested).Draw(t, "expired")
			want := WaiterScale(WaiterScaleConfig{
				ConcurrencyLevel: d.ConcurrencyLevel, ExpiredInstanceRestartRate: d.ExpiredInstanceRestartRate,
				JitterThreshold: d.JitterThreshold, MaxInstances: d.MaxInstances, MinInstances: d.MinInstances,
				ScaleDownFactor: d.ScaleDownFactor, ScaleFactor: d.ScaleFactor, ScaleUpFactor: d.ScaleUpFactor, ScaleTicks: ticks,
			}, WaiterScaleState{TotalInstances: requested, OutstandingRequests: outstanding, TargetInstances: target,
				HealthyInstances: healthy, ExpiredInstances: expired})
			scaleTo, got := s.scale(d, ticks, outstanding, requested, healthy, expired)
			if scaleTo != want.ScaleTo || math.Float64bits(got) != math.Float64bits(want.Target) {
				t.Fatalf("scaler: to %d, target %v; WaiterScale: to %d, target %v", scaleTo, got, want.ScaleTo, want.Target)
			}
			target = want.Target
		}
	})
}
