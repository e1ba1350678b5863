package sim

import (
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
	"github.com/waiter-go/waiter/sim/stats"
)

// TestLatenciesBatchIsDirect: recording through the batch, whatever its
// size, leaves every service's histogram as recording each latency at once
// does (the histograms are compared whole, counts and sums).
func TestLatenciesBatchIsDirect(t *testing.T) {
	const services = 300
	for _, n := range []int{latBatchLow, batchSize(services), 7} {
		direct, batched := newHists(services), newHists(services)
		var l latencies
		l.init(services, false)
		l.buf, l.sorted = make([]latEntry, 0, n), make([]time.Duration, n)
		src := rng.New(4)
		for i := 0; i < 50_000; i++ {
			svc := int32(src.Intn(services))
			lat := time.Duration(src.ExpFloat64() * 1e8)
			direct[svc].hist.Record(lat)
			l.record(batched, svc, lat)
		}
		l.flush(batched)
		for i := range direct {
			if *direct[i].hist != *batched[i].hist {
				t.Fatalf("batch of %d: service %d's histogram differs (count %d vs %d)",
					n, i, direct[i].hist.Count(), batched[i].hist.Count())
			}
		}
	}
}

func newHists(n int) []*svcState {
	svcs := make([]*svcState, n)
	for i := range svcs {
		svcs[i] = &svcState{hist: &stats.Histogram{}}
	}
	return svcs
}
