package engine

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/threadcpu"
)

// BenchmarkRequestPath measures one request's whole path through the
// engine: arrive (dispatched at once to a free instance) and finish. It
// reports allocations and, as a baseline measured in the same run, the
// ratio to the cheapest bookkeeping any router needs per request: one map
// insert and one map delete.
func BenchmarkRequestPath(b *testing.B) {
	baseline := mapBaseline()
	e, d := benchEngine(b, 10)
	at := epoch
	b.ReportAllocs()
	b.ResetTimer()
	start := threadcpu.Nanos()
	for i := 0; i < b.N; i++ {
		at = at.Add(time.Microsecond)
		id := RequestID(i + 1000)
		e.Step(Event{Kind: EvRequestArrived, At: at, Service: d.ID, Request: id})
		e.Step(Event{Kind: EvRequestFinished, At: at, Request: id})
	}
	perOp := float64(threadcpu.Nanos()-start) / float64(b.N)
	b.StopTimer()
	b.ReportMetric(perOp, "cpu-ns/op")
	b.ReportMetric(perOp/baseline, "x-map-baseline")
}

// mapBaseline is the cheapest bookkeeping any router needs per request,
// in CPU ns: one map insert and one map delete.
func mapBaseline() float64 {
	return measure(func(n int) {
		m := map[RequestID]reqRecord{}
		for i := 0; i < n; i++ {
			m[RequestID(i)] = reqRecord{seq: uint64(i)}
			delete(m, RequestID(i))
		}
	})
}

// BenchmarkRequestPathRef is BenchmarkRequestPath through StepRef with
// two events the caller keeps, as the simulator steps: what the engine
// itself spends per request, without the two ~200-byte Event literals a
// by-value Step builds and copies (a quarter of BenchmarkRequestPath).
func BenchmarkRequestPathRef(b *testing.B) {
	baseline := mapBaseline()
	e, d := benchEngine(b, 10)
	arrive := Event{Kind: EvRequestArrived, At: epoch, Service: d.ID}
	finish := Event{Kind: EvRequestFinished, At: epoch}
	b.ReportAllocs()
	b.ResetTimer()
	start := threadcpu.Nanos()
	for i := 0; i < b.N; i++ {
		arrive.At = arrive.At.Add(time.Microsecond)
		arrive.Request = RequestID(i + 1000)
		finish.At, finish.Request = arrive.At, arrive.Request
		e.StepRef(&arrive)
		e.StepRef(&finish)
	}
	perOp := float64(threadcpu.Nanos()-start) / float64(b.N)
	b.StopTimer()
	b.ReportMetric(perOp, "cpu-ns/op")
	b.ReportMetric(perOp/baseline, "x-map-baseline")
}

// BenchmarkRequestPathQueued measures a request that waits in the queue
// before a finishing request frees its slot.
func BenchmarkRequestPathQueued(b *testing.B) {
	e, d := benchEngine(b, 1)
	at := epoch
	e.Step(Event{Kind: EvRequestArrived, At: at, Service: d.ID, Request: 1})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		at = at.Add(time.Microsecond)
		id := RequestID(i + 2)
		e.Step(Event{Kind: EvRequestArrived, At: at, Service: d.ID, Request: id}) // queued
		e.Step(Event{Kind: EvRequestFinished, At: at, Request: id - 1})           // frees the slot
	}
}

// BenchmarkScalingPass10k measures one scaling pass over 10,000 services
// against a baseline of calling WaiterScale 10,000 times directly, so the
// ratio shows what the engine adds around the formula.
func BenchmarkScalingPass10k(b *testing.B) {
	const n = 10000
	cfg := WaiterScaleConfig{ConcurrencyLevel: 1, ExpiredInstanceRestartRate: 0.1, JitterThreshold: 0.5,
		MinInstances: 1, MaxInstances: 500, ScaleDownFactor: 0.001, ScaleFactor: 1, ScaleUpFactor: 0.1, ScaleTicks: 1}
	baseline := measure(func(iters int) {
		var sink int
		for i := 0; i < iters; i++ {
			for j := 0; j < n; j++ {
				sink += WaiterScale(cfg, WaiterScaleState{TotalInstances: 2, OutstandingRequests: j % 7, TargetInstances: 2, HealthyInstances: 2}).ScaleTo
			}
		}
		benchSink = sink
	})
	e := New(Config{})
	at := epoch
	for j := 0; j < n; j++ {
		d := mustDesc(b, Params{"name": fmt.Sprintf("s%d", j), "idle-timeout-mins": 0.0})
		e.Step(Event{Kind: EvRequestArrived, At: at, Service: d.ID, Request: RequestID(j), Description: d})
		e.Step(Event{Kind: EvServiceObserved, At: at, Service: d.ID, Observation: &Observation{Exists: true, Requested: 2, Scheduled: 2,
			Instances: []ObservedInstance{healthyAt("a", epoch), healthyAt("b", epoch)}}})
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := threadcpu.Nanos()
	for i := 0; i < b.N; i++ {
		at = at.Add(time.Second)
		e.Step(Event{Kind: EvTick, At: at})
	}
	perOp := float64(threadcpu.Nanos()-start) / float64(b.N)
	b.StopTimer()
	b.ReportMetric(perOp/baseline, "x-formula-baseline")
	b.ReportMetric(perOp/n, "cpu-ns/service") // = µs per 1,000 services
}

// BenchmarkScalingPassCold measures a scaling pass over 1,000 services
// whose records have left the caches, as they have in a router by the
// next pass a second later, against the same pass over records still
// cached from the pass before (x-warm-pass). Each service record lies
// among other allocations, as it does in a router that has served
// requests; before each cold pass the benchmark reads 64 MB elsewhere.
func BenchmarkScalingPassCold(b *testing.B) {
	const n = 1000
	e := New(Config{})
	at := epoch
	spacers := make([][]byte, 0, n)
	for j := 0; j < n; j++ {
		d := mustDesc(b, Params{"name": fmt.Sprintf("s%d", j), "idle-timeout-mins": 0.0})
		e.Step(Event{Kind: EvRequestArrived, At: at, Service: d.ID, Request: RequestID(j), Description: d})
		e.Step(Event{Kind: EvServiceObserved, At: at, Service: d.ID, Observation: &Observation{Exists: true, Requested: 2, Scheduled: 2,
			Instances: []ObservedInstance{healthyAt("a", epoch), healthyAt("b", epoch)}}})
		spacers = append(spacers, make([]byte, 3000))
	}
	elsewhere := make([]byte, 64<<20)
	var sink byte
	pass := func(cold bool) int64 {
		if cold {
			for k := 0; k < len(elsewhere); k += 64 {
				sink += elsewhere[k]
			}
		}
		// Wall time: a pass takes tens of microseconds, below what a
		// thread's CPU time (getrusage) resolves.
		at = at.Add(time.Second)
		start := time.Now()
		e.Step(Event{Kind: EvTick, At: at})
		return int64(time.Since(start))
	}
	pass(false)
	b.ResetTimer()
	// Medians: on a shared machine a pass now and then runs at half speed.
	cold, warm := make([]int64, b.N), make([]int64, b.N)
	for i := 0; i < b.N; i++ {
		cold[i] = pass(true)
		warm[i] = pass(false)
	}
	b.StopTimer()
	benchSink = int(sink) + len(spacers)
	coldNs, warmNs := float64(median(cold)), float64(median(warm))
	b.ReportMetric(coldNs/n, "cold-ns/service")
	b.ReportMetric(warmNs/n, "warm-ns/service")
	b.ReportMetric(coldNs/warmNs, "x-warm-pass")
}

// median returns the median of v, which it sorts.
func median(v []int64) int64 {
	slices.Sort(v)
	return v[len(v)/2]
}

func benchEngine(b *testing.B, instances int) (*Engine, *Description) {
	e := New(Config{})
	d := mustDesc(b, Params{"max-instances": float64(instances), "min-instances": float64(instances)})
	var insts []ObservedInstance
	for i := 0; i < instances; i++ {
		insts = append(insts, healthyAt(fmt.Sprintf("i%d", i), epoch.Add(time.Duration(i)*time.Second)))
	}
	e.Step(Event{Kind: EvRequestArrived, At: epoch, Service: d.ID, Request: 999999999, Description: d})
	e.Step(Event{Kind: EvServiceObserved, At: epoch, Service: d.ID, Observation: &Observation{Exists: true,
		Requested: instances, Scheduled: instances, Instances: insts}})
	e.Step(Event{Kind: EvRequestFinished, At: epoch, Request: 999999999})
	return e, d
}

var benchSink int

// measure times f over a growing number of iterations until the run takes
// at least 100 ms of this thread's CPU time and returns CPU nanoseconds per
// iteration (CPU, not wall, time: the machine may be shared; the callers
// measure themselves the same way). It gives each
// benchmark a baseline measured in the same run (testing.Benchmark cannot
// be called from inside a running benchmark).
func measure(f func(n int)) float64 {
	runtime.LockOSThread() // released by the benchmark's goroutine ending
	for n := 1; ; n *= 4 {
		start := threadcpu.Nanos()
		f(n)
		if d := threadcpu.Nanos() - start; d >= int64(100*time.Millisecond) {
			return float64(d) / float64(n)
		}
	}
}

// BenchmarkRequestPathCluster is BenchmarkRequestPath on a router of a
// cluster of three, which routes over the slots the HRW distribution
// gives it; the ratio compares it with a router alone in the same run.
func BenchmarkRequestPathCluster(b *testing.B) {
	run := func(e *Engine, d *Description, n int) {
		at := epoch
		for i := 0; i < n; i++ {
			at = at.Add(time.Microsecond)
			id := RequestID(i + 1000)
			e.Step(Event{Kind: EvRequestArrived, At: at, Service: d.ID, Request: id})
			e.Step(Event{Kind: EvRequestFinished, At: at, Request: id})
		}
	}
	alone, da := benchEngine(b, 30)
	baseline := measure(func(n int) { run(alone, da, n) })
	e, d := benchEngine(b, 30)
	e.Step(Event{Kind: EvClusterChanged, At: epoch, Cluster: &ClusterView{Routers: []string{"", "r2", "r3"}, Leader: true}})
	if e.Counters(d.ID).SlotsAvailable != 10 {
		b.Fatalf("want a third of 30 slots, got %+v", e.Counters(d.ID))
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := threadcpu.Nanos()
	run(e, d, b.N)
	perOp := float64(threadcpu.Nanos()-start) / float64(b.N)
	b.StopTimer()
	b.ReportMetric(perOp/baseline, "x-alone")
}
