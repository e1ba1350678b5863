package router

import (
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// BenchmarkDriverRequest is the router's own work on one proxied request
// the engine admits at once, as the event loops call it: AdmitAsync and
// Release, with 63 other requests in flight (wrk's 64 connections). The
// baseline, in the same run, is the cheapest bookkeeping a router needs
// per request: one insert and one delete of the driver's request record
// in a map of that size.
func BenchmarkDriverRequest(b *testing.B) {
	const inFlight = 63
	h := newHarnessWith(b, nil, nil)
	adm := waiter.Admission{Description: desc(b, engine.Params{"concurrency-level": float64(inFlight + 1)})}
	ready := make(chan waiter.Grant, 1)
	g, pending, err := h.d.AdmitAsync(adm, func(g waiter.Grant, err error) {
		if err != nil {
			b.Error(err)
		}
		ready <- g
	})
	if err != nil {
		b.Fatal(err)
	}
	if pending != 0 {
		g = <-ready // the instance started
	}
	held := []waiter.Grant{g}
	for len(held) < inFlight {
		g, pending, err := h.d.AdmitAsync(adm, nil)
		if err != nil || pending != 0 {
			b.Fatalf("request %d: pending %d, err %v: want a free slot at once", len(held), pending, err)
		}
		held = append(held, g)
	}
	baseline := reqsBaseline(inFlight)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g, _, _ := h.d.AdmitAsync(adm, nil)
		h.d.Release(g, engine.OutcomeSuccess)
	}
	b.StopTimer()
	// Wall time, not the thread's CPU: the driver's lock may hand the
	// goroutine to another thread. Nothing else runs meanwhile.
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/baseline, "x-map-baseline")
	for _, g := range held {
		h.d.Release(g, engine.OutcomeSuccess)
	}
}

// reqsBaseline is one insert and one delete of a request record in a map
// holding inFlight others, in ns: the fastest of three runs, as a
// machine's noise only ever adds.
func reqsBaseline(inFlight int) float64 {
	const n = 1 << 20
	m := map[engine.RequestID]reqState{}
	for i := 0; i < inFlight; i++ {
		m[engine.RequestID(n+i)] = reqState{service: "s"}
	}
	best := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		for i := 0; i < n; i++ {
			m[engine.RequestID(i)] = reqState{service: "s"}
			delete(m, engine.RequestID(i))
		}
		best = min(best, time.Since(start))
	}
	return float64(best.Nanoseconds()) / n
}
