package engine

import (
	"math"
	"testing"
)

// Golden vectors of Waiter's scale-service-test and normalize-factor-test
// (waiter/test/waiter/scaling_test.clj), ported verbatim.

func TestNormalizeFactor(t *testing.T) {
	cases := []struct {
		f    float64
		n    int
		want float64
	}{
		{0.5, 0, 0}, {0.5, 1, 0.5}, {0.5, 2, 0.75},
		{0.6, 0, 0}, {0.6, 1, 0.6}, {0.6, 2, 0.84}, {0.6, 3, 0.936}, {0.6, 4, 0.9744},
		{1.6, 0, 0}, {1.6, 1, 1.6}, {1.6, 2, 0.64}, {1.6, 3, 1.216}, {1.6, 4, 0.8704},
	}
	for _, c := range cases {
		if got := NormalizeFactor(c.f, c.n); math.Abs(got-c.want) >= 0.001 {
			t.Errorf("NormalizeFactor(%v, %d) = %v, want %v", c.f, c.n, got, c.want)
		}
	}
}

func TestWaiterScaleGoldenVectors(t *testing.T) {
	const jitter, eps = 0.9, 1e-2
	base := WaiterScaleConfig{ConcurrencyLevel: 1, ExpiredInstanceRestartRate: 0.1, ScaleFactor: 1,
		ScaleUpFactor: 0.5, ScaleDownFactor: 0.5, MinInstances: 1, MaxInstances: 50,
		JitterThreshold: jitter, ScaleTicks: 1}
	fast := base
	fast.ScaleUpFactor, fast.ScaleDownFactor = 0.999, 0.999
	with := func(c WaiterScaleConfig, f func(*WaiterScaleConfig)) WaiterScaleConfig { f(&c); return c }

	cases := []struct {
		name               string
		amount, to         int
		target             float64
		cfg                WaiterScaleConfig
		total, outstanding int
		prevTarget         float64
		healthy, expired   int
	}{
		{"scale whole way", 5, 10, 10, fast, 5, 10, 5, 5, 0},
		{"don't scale up if there are enough instances", 0, 5, 7, with(base, func(c *WaiterScaleConfig) { c.ScaleUpFactor = 0.999 }), 5, 4, 10, 5, 0},
		{"scale half way", 5, 15, 15, base, 10, 20, 10, 10, 0},
		{"scale three-quarters way (two ticks)", 15, 15, 15, with(base, func(c *WaiterScaleConfig) { c.ScaleTicks = 2 }), 0, 20, 0, 0, 0},
		{"don't scale above max", 0, 50, 50, base, 50, 100, 50, 50, 0},
		{"don't scale below min", 0, 1, 1, base, 1, 0, 1, 1, 0},
		{"scale down to max", -10, 50, 50, base, 60, 100, 60, 60, 0},
		{"scale up to min", 1, 1, 1, base, 0, 0, 0, 0, 0},
		{"jitter: threshold not met scaling up", 0, 1, 1 + (jitter - eps), with(base, func(c *WaiterScaleConfig) { c.ScaleUpFactor = jitter - eps }), 1, 2, 1.0, 1, 0},
		{"jitter: threshold met scaling up", 1, 2, 1 + (jitter + eps), with(base, func(c *WaiterScaleConfig) { c.ScaleUpFactor = jitter + eps }), 1, 2, 1.0, 1, 0},
		{"jitter: threshold not met scaling down", 0, 2, 1 + 2*eps, with(base, func(c *WaiterScaleConfig) { c.ScaleDownFactor = 1 - 2*eps }), 2, 1, 2.0, 2, 0},
		{"jitter: threshold met scaling down", -1, 1, 1, with(base, func(c *WaiterScaleConfig) { c.ScaleDownFactor = 1 }), 2, 1, 2.0, 2, 0},
		{"epsilon test", -1, 1, 1, base, 2, 1, 1.01, 1, 0},
		{"scale-factor", 10, 20, 20, with(base, func(c *WaiterScaleConfig) { c.ScaleFactor = 0.5 }), 10, 60, 10, 10, 0},
		{"concurrency-level-2", 10, 20, 20, with(base, func(c *WaiterScaleConfig) { c.ConcurrencyLevel = 2 }), 10, 60, 10, 10, 0},
		{"concurrency-level-2-fast", 20, 30, 29.98, with(fast, func(c *WaiterScaleConfig) { c.ConcurrencyLevel = 2 }), 10, 60, 10, 10, 0},
		{"concurrency-level-5", 4, 6, 6, with(base, func(c *WaiterScaleConfig) { c.ConcurrencyLevel = 5 }), 2, 50, 2, 2, 0},
		{"concurrency-level-5-fast", 8, 10, 10, with(fast, func(c *WaiterScaleConfig) { c.ConcurrencyLevel = 5 }), 2, 50, 2, 2, 0},
		{"concurrency and scale-factor fast A", 2, 3, 3, with(fast, func(c *WaiterScaleConfig) { c.ConcurrencyLevel, c.ScaleFactor = 2, 0.1 }), 1, 45, 1, 1, 0},
		{"concurrency and scale-factor fast B", 1, 2, 2, with(fast, func(c *WaiterScaleConfig) { c.ConcurrencyLevel, c.ScaleFactor = 5, 0.166666666 }), 1, 45, 1, 1, 0},
		{"concurrency and scale-factor fast C1", 1, 2, 2, with(fast, func(c *WaiterScaleConfig) { c.ConcurrencyLevel, c.ScaleFactor = 5, 0.1 }), 1, 95, 1, 1, 0},
		{"concurrency and scale-factor fast C2", 2, 3, 3, with(fast, func(c *WaiterScaleConfig) { c.ConcurrencyLevel, c.ScaleFactor = 5, 0.1 }), 1, 150, 1, 1, 0},
		{"scale up with expired instance", 1, 2, 1, base, 1, 0, 1.2, 1, 1},
		{"scale up additional instance with queued requests and expiring", 2, 3, 2, fast, 1, 2, 0.9, 1, 1},
		{"scale down with expired instances", -4, 1, 1, fast, 5, 0, 5.3, 5, 5},
		{"scale down without expired instances A", -2, 8, 7.919, with(base, func(c *WaiterScaleConfig) { c.ScaleDownFactor, c.ScaleUpFactor = 0.001, 0.1 }), 10, 0, 7.927, 9, 0},
		{"scale down without expired instances B", -1, 8, 7.919, with(base, func(c *WaiterScaleConfig) { c.ScaleDownFactor, c.ScaleUpFactor = 0.001, 0.1 }), 9, 0, 7.927, 8, 0},
		{"scale down does not affect unhealthy instance", 0, 2, 1, base, 2, 0, 1.3, 1, 1},
		{"scale down replacement instance for expired", -1, 1, 1, base, 2, 0, 1.1, 2, 1},
		{"apply expired scale factor A", 2, 22, 19.95, base, 20, 20, 19.9, 20, 20},
		{"apply expired scale factor B (rate 1)", 20, 40, 20, with(base, func(c *WaiterScaleConfig) { c.ExpiredInstanceRestartRate = 1 }), 20, 20, 20, 20, 20},
		{"apply expired scale factor C (rate 0)", 0, 1, 1, with(base, func(c *WaiterScaleConfig) { c.ExpiredInstanceRestartRate = 0 }), 1, 0, 1, 1, 1},
		{"scale up when at least one expired A", 1, 2, 1, with(base, func(c *WaiterScaleConfig) { c.ExpiredInstanceRestartRate = 1 }), 1, 1, 1, 0, 1},
		{"scale up when at least one expired B", 3, 6, 5, with(base, func(c *WaiterScaleConfig) { c.ExpiredInstanceRestartRate = 1 }), 3, 5, 5, 2, 1},
	}
	for _, c := range cases {
		got := WaiterScale(c.cfg, WaiterScaleState{TotalInstances: c.total, OutstandingRequests: c.outstanding,
			TargetInstances: c.prevTarget, HealthyInstances: c.healthy, ExpiredInstances: c.expired})
		if math.Abs(float64(got.ScaleAmount-c.amount)) >= eps {
			t.Errorf("%s: scale-amount = %d, want %d", c.name, got.ScaleAmount, c.amount)
		}
		if got.ScaleTo != c.to {
			t.Errorf("%s: scale-to-instances = %d, want %d", c.name, got.ScaleTo, c.to)
		}
		if math.Abs(got.Target-c.target) >= eps {
			t.Errorf("%s: target-instances = %v, want %v", c.name, got.Target, c.target)
		}
	}
	if len(cases) < 21 {
		t.Fatalf("only %d golden vectors", len(cases))
	}
}

func TestScaleAmountByQuanta(t *testing.T) {
	// test-compute-scale-amount-restricted-by-quanta, quanta {:cpus 32 :mem 4608}.
	cases := []struct {
		cpus, mem float64
		amount    int
		want      int
	}{
		{10, 1024, 1, 1}, {10, 1024, 3, 3}, {5, 1024, 8, 4}, {10, 1024, 8, 3},
		{10, 2048, 8, 2}, {2, 512, 10, 9}, {64, 512, 10, 1},
	}
	for _, c := range cases {
		if got := scaleAmountByQuanta(c.cpus, c.mem, 32, 4608, c.amount); got != c.want {
			t.Errorf("quanta(cpus %v, mem %v, amount %d) = %d, want %d", c.cpus, c.mem, c.amount, got, c.want)
		}
	}
}

func TestEjectPeriodBackoff(t *testing.T) {
	cfg := Config{}.withDefaults()
	want := []int{10, 10, 20, 40, 80, 160, 160, 160}
	for n, w := range want {
		if got := ejectPeriod(&cfg, n).Seconds(); int(got) != w {
			t.Errorf("ejectPeriod(%d failures) = %vs, want %ds", n, got, w)
		}
	}
	cfg.MaxEjectTime = 30 * 1e9
	if got := ejectPeriod(&cfg, 5).Seconds(); got != 30 {
		t.Errorf("capped eject period = %vs, want 30s", got)
	}
}
