package stats

import (
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
)

func BenchmarkHistogramRecord(b *testing.B) {
	src := rng.New(1)
	vals := make([]time.Duration, 4096)
	for i := range vals {
		vals[i] = time.Duration(1e6 * src.ExpFloat64())
	}
	h := new(Histogram)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.Record(vals[i&4095])
	}
}

func BenchmarkHistogramPercentile(b *testing.B) {
	src := rng.New(1)
	h := new(Histogram)
	for i := 0; i < 100000; i++ {
		h.Record(time.Duration(1e6 * src.ExpFloat64()))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = h.Percentile(99)
	}
}

// BenchmarkTimelineEvent is one simulated request's worth of recording: an
// arrival, two gauge moves and a latency, at 2,000 requests per virtual second
// with a 360-interval cap (so the run downsamples as it goes).
func BenchmarkTimelineEvent(b *testing.B) {
	tl, err := NewTimeline(TimelineConfig{
		Width: 10 * time.Second, MaxIntervals: 360,
		Counters: []string{"arrivals"}, Gauges: []string{"outstanding", "instances"}, Latencies: []string{"latency"},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		at := time.Duration(i) * 500 * time.Microsecond
		tl.Add(0, at, 1)
		tl.Set(0, at, float64(i%50))
		tl.Set(1, at, float64(i%5))
		tl.Observe(0, at, time.Duration(i%1000)*time.Microsecond)
	}
}
