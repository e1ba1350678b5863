package sim

import (
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/threadcpu"
	"github.com/waiter-go/waiter/sim/load"
	"github.com/waiter-go/waiter/sim/scenario"
)

// BenchmarkSpike runs scenarios/spike.yaml and reports simulated requests
// per wall second, and per second of CPU time of the fastest run
// (cpu-sim-req/s). Its baseline, measured in the same run, is the cost of
// the request path alone: the engine handling arrive + finish with a free
// instance and no simulator around it. The ratio says how much the
// simulator's own machinery (heap, Marathon model, metrics) adds.
func BenchmarkSpike(b *testing.B) { benchScenario(b, loadScenario(b, "spike.yaml")) }

// BenchmarkLargeHour is scenarios/large.yaml (1,000 services with their
// own diurnal load) cut to its first hour, against the same baseline:
// what a scaling pass and a poll over many services add per request.
func BenchmarkLargeHour(b *testing.B) {
	sc := loadScenario(b, "large.yaml")
	sc.Duration = time.Hour
	sc.Assertions = nil
	benchScenario(b, sc)
}

// BenchmarkLargeBusy is scenarios/large.yaml's busiest hour (hours 12-13
// of the day, at about 1,900 requests per second over 1,000 services) as
// the first hour of a run: the diurnal load's phase moves 12 hours back,
// so the run starts at the peak. Unlike BenchmarkLargeHour (the quiet
// night) it weighs polls, scaling passes and requests as the whole day
// does.
func BenchmarkLargeBusy(b *testing.B) {
	sc := loadScenario(b, "large.yaml")
	sc.Duration = time.Hour
	sc.Assertions = nil
	for i := range sc.Services {
		if d := sc.Services[i].Load.Diurnal; d != nil {
			shifted := *d
			shifted.Phase = (d.Phase + d.Period/2) % d.Period
			sc.Services[i].Load.Diurnal = &shifted
		}
	}
	benchScenario(b, sc)
}

func benchScenario(b *testing.B, sc *scenario.Scenario) {
	b.ReportAllocs()
	b.ResetTimer()
	var requests int64
	// The machine may be shared: the ratio compares this thread's CPU
	// time (not wall time) of the fastest run with the fastest baseline,
	// measured again before every run.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	bestRun, bestBase := math.Inf(1), math.Inf(1)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		bestBase = min(bestBase, enginePathNs())
		b.StartTimer()
		start := threadcpu.Nanos()
		rep, err := Run(sc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		bestRun = min(bestRun, float64(threadcpu.Nanos()-start)/float64(rep.Totals.Requests))
		requests += rep.Totals.Requests
	}
	b.StopTimer()
	nsPerReq := float64(b.Elapsed().Nanoseconds()) / float64(requests)
	b.ReportMetric(1e9/nsPerReq, "sim-req/s")
	b.ReportMetric(1e9/bestRun, "cpu-sim-req/s")
	b.ReportMetric(bestRun/bestBase, "x-engine-path")
}

// BenchmarkEnginePath is the baseline of the simulator's figures: the
// engine's arrive+finish path on its own, in thread CPU ns per request
// (the fastest of b.N measurements). make bench divides waiter-sim's CPU
// time per request on spike.yaml and large.yaml by it.
func BenchmarkEnginePath(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	best := math.Inf(1)
	for i := 0; i < b.N; i++ {
		best = min(best, enginePathNs())
	}
	b.ReportMetric(best, "engine-ns/req")
}

// enginePathNs times the engine's arrive+finish path on its own.
func enginePathNs() float64 {
	e, d := engineWithInstance()
	at := Epoch
	const n = 2_000_000
	start := threadcpu.Nanos()
	for i := 0; i < n; i++ {
		at = at.Add(time.Microsecond)
		id := engine.RequestID(i + 2)
		e.Step(engine.Event{Kind: engine.EvRequestArrived, At: at, Service: d.ID, Request: id})
		e.Step(engine.Event{Kind: engine.EvRequestFinished, At: at, Request: id})
	}
	return float64(threadcpu.Nanos()-start) / n
}

// BenchmarkMemoryVsRequests runs spike.yaml's service at a constant
// 500 requests per second for 10 and for 40 minutes and reports the ratio
// of bytes allocated by the two runs. Histograms and timelines have a fixed
// size and unfinished requests live in a ring, so four times the requests
// at the same concurrency must not mean four times the memory.
func BenchmarkMemoryVsRequests(b *testing.B) {
	short := loadScenario(b, "spike.yaml")
	short.Services = append([]scenario.Service(nil), short.Services...)
	short.Services[0].Load = &load.Spec{Constant: &load.ConstantSpec{Rate: 500}}
	short.Assertions = nil
	short.Duration = 10 * time.Minute
	long := *short
	long.Duration = 40 * time.Minute
	var base, big uint64
	var reqBase, reqBig int64
	for i := 0; i < b.N; i++ {
		a, ra := allocated(b, short)
		c, rc := allocated(b, &long)
		base += a
		big += c
		reqBase, reqBig = ra, rc
	}
	b.ReportMetric(float64(reqBig)/float64(reqBase), "x-requests")
	b.ReportMetric(float64(big)/float64(base), "x-bytes")
	b.ReportMetric(float64(big)/float64(b.N)/float64(reqBig), "B/request")
}

func allocated(b *testing.B, sc *scenario.Scenario) (uint64, int64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	rep, err := Run(sc, Options{})
	if err != nil {
		b.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, rep.Totals.Requests
}

// engineWithInstance is an engine at Epoch with one service, d, whose one
// healthy instance is free (request 1 made the service known and
// finished): the next request is dispatched at once.
func engineWithInstance() (*engine.Engine, *engine.Description) {
	e := engine.New(engine.Config{})
	d, _ := engine.NewDescription(engine.Params{"cmd": "x", "cpus": 1.0, "mem": 1.0, "version": "1"}, engine.DescriptionOptions{})
	e.Step(engine.Event{Kind: engine.EvRequestArrived, At: Epoch, Service: d.ID, Request: 1, Description: d})
	e.Step(engine.Event{Kind: engine.EvServiceObserved, At: Epoch, Service: d.ID, Observation: &engine.Observation{Exists: true,
		Requested: 1, Scheduled: 1, Instances: []engine.ObservedInstance{{ID: "a", StartedAt: Epoch, Healthy: true}}}})
	e.Step(engine.Event{Kind: engine.EvRequestFinished, At: Epoch, Request: 1})
	return e, d
}
