package knativediff

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"go.uber.org/zap"
	"k8s.io/apimachinery/pkg/types"
	autoscalingv1alpha1 "knative.dev/serving/pkg/apis/autoscaling/v1alpha1"
	"knative.dev/serving/pkg/autoscaler/metrics"
	"knative.dev/serving/pkg/autoscaler/scaling"

	"github.com/waiter-go/waiter/engine"
)

// readyPods is the decider's view of the ready pods, set by the test.
type readyPods struct{ n int }

func (r *readyPods) ReadyCount() (int, error)    { return r.n, nil }
func (r *readyPods) NotReadyCount() (int, error) { return 0, nil }

// variant is one configuration both autoscalers run with.
type variant struct {
	interval        time.Duration
	concurrency     int // Waiter's concurrency-level: Knative's target is 0.7 x this
	activationScale int
	scaleDownDelay  time.Duration
	startReady      int // ready pods when the scalers are created
}

func (v variant) String() string {
	return fmt.Sprintf("interval=%v cl=%d activation=%d delay=%v ready0=%d",
		v.interval, v.concurrency, v.activationScale, v.scaleDownDelay, v.startReady)
}

func variants() []variant {
	var out []variant
	for _, interval := range []time.Duration{time.Second, 2 * time.Second} {
		for _, cl := range []int{1, 4} {
			for _, act := range []int{1, 3} {
				for _, delay := range []time.Duration{0, 15 * time.Second} {
					for _, ready := range []int{0, 1, 5} {
						out = append(out, variant{interval, cl, act, delay, ready})
					}
				}
			}
		}
	}
	return out
}

// series is a random per-second concurrency: idle stretches, steady load,
// ramps and bursts far over the panic threshold, integers (outstanding
// requests as the engine samples them) and fractions (averages).
func series(r *rand.Rand, seconds int) []float64 {
	out := make([]float64, 0, seconds)
	for len(out) < seconds {
		n := 5 + r.IntN(90)
		level := []float64{0, 0.5, 2, 10, 40, 200}[r.IntN(6)]
		fractional := r.IntN(2) == 0
		for i := 0; i < n && len(out) < seconds; i++ {
			v := level * r.ExpFloat64()
			if r.IntN(20) == 0 {
				v *= 20 // a burst
			}
			if !fractional {
				v = math.Round(v)
			}
			out = append(out, v)
		}
	}
	return out
}

func TestDeciderEqualsKnative(t *testing.T) {
	const seconds = 900
	runs := 0
	for i, v := range variants() {
		for seed := uint64(1); seed <= 4; seed++ {
			r := rand.New(rand.NewPCG(seed, uint64(i)))
			compare(t, v, seed, series(r, seconds), r)
			runs++
		}
	}
	t.Logf("%d runs of %d s agreed at every interval", runs, seconds)
}

func compare(t *testing.T, v variant, seed uint64, load []float64, r *rand.Rand) {
	t.Helper()
	logger := zap.NewNop().Sugar()
	name := fmt.Sprintf("rev-%d", seed)
	key := types.NamespacedName{Namespace: "ns", Name: name}
	collector := metrics.NewMetricCollector(
		func(*autoscalingv1alpha1.Metric, *zap.SugaredLogger) (metrics.StatsScraper, error) { return nil, nil }, logger)
	metric := &autoscalingv1alpha1.Metric{}
	metric.Namespace, metric.Name = key.Namespace, key.Name
	metric.Spec = autoscalingv1alpha1.MetricSpec{StableWindow: 60 * time.Second, PanicWindow: 6 * time.Second}
	if err := collector.CreateOrUpdate(metric); err != nil {
		t.Fatal(err)
	}
	defer collector.Delete(key.Namespace, key.Name)

	desc, err := engine.NewDescription(engine.Params{
		"cmd": "kitchen", "cpus": 1.0, "mem": 256.0, "version": "v1",
		"concurrency-level": float64(v.concurrency), "max-instances": 2000.0,
		"knative-activation-scale":      float64(v.activationScale),
		"knative-scale-down-delay-secs": v.scaleDownDelay.Seconds(),
	}, engine.DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}

	ready := &readyPods{n: v.startReady}
	// t0 is read before Knative's decider reads its own clock (its panic
	// time at creation), so both un-panic at the same whole second.
	t0 := time.Now()
	theirs := scaling.New(context.Background(), key.Namespace, key.Name, collector, ready, &scaling.DeciderSpec{
		MaxScaleUpRate: 1000, MaxScaleDownRate: 2, ScalingMetric: "concurrency",
		TargetValue: float64(v.concurrency) * 0.7, TotalValue: float64(v.concurrency), TargetBurstCapacity: 200,
		PanicThreshold: 2, StableWindow: 60 * time.Second, ScaleDownDelay: v.scaleDownDelay,
		InitialScale: 1, Reachable: true, ActivationScale: int32(v.activationScale),
	})
	ours := engine.KnativePolicy{}.NewScaler(desc, engine.ScaleStart{Now: t0, Scheduled: v.startReady, Healthy: v.startReady})

	step := int(v.interval / time.Second)
	var buf []float64
	requested := max(v.startReady, 1)
	for s := 1; s <= len(load); s++ {
		now := t0.Add(time.Duration(s) * time.Second)
		collector.Record(key, now, metrics.Stat{AverageConcurrentRequests: load[s-1]})
		buf = append(buf, load[s-1])
		if s%step != 0 {
			continue
		}
		want := theirs.Scale(logger, now)
		dec := ours.Scale(engine.ScaleInput{Now: now, Ticks: 1, Outstanding: int(load[s-1]), Concurrency: buf,
			Requested: requested, Scheduled: requested, Healthy: ready.n, Desc: desc})
		buf = buf[:0]
		if !want.ScaleValid {
			t.Fatalf("%v seed %d at %d s: Knative's decider has no valid scale", v, seed, s)
		}
		if got := int32(dec.Target); got != want.DesiredPodCount || float64(got) != dec.Target {
			t.Fatalf("%v seed %d at %d s (concurrency %v, ready %d): ours %v, Knative %d",
				v, seed, s, load[s-1], ready.n, dec.Target, want.DesiredPodCount)
		}
		// Ready pods follow the desired count with a random lag, and now
		// and then some fail, so that panic entry and the scale-down
		// limits see ready counts other than the desired ones.
		requested = max(dec.ScaleTo, 1)
		switch {
		case r.IntN(15) == 0:
			ready.n = r.IntN(ready.n + 1)
		case ready.n < requested:
			ready.n += 1 + r.IntN(requested-ready.n)
		case ready.n > requested:
			ready.n -= 1 + r.IntN(ready.n-requested)
		}
	}
}
