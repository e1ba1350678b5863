package stats

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
	"pgregory.net/rapid"
)

// Every value lands in a bucket that contains it, and buckets are narrow
// enough for the documented error bound.
func TestBucketsContainTheirValues(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := rapid.Uint64Range(0, uint64(MaxResolved)).Draw(t, "v")
		i := bucketOf(v)
		if i < 0 || i >= numBuckets {
			t.Fatalf("bucketOf(%d) = %d, outside [0,%d)", v, i, numBuckets)
		}
		low, width := bucketLow(i)
		if v < low || v >= low+width {
			t.Fatalf("%d not in bucket %d = [%d,%d)", v, i, low, low+width)
		}
		mid := float64(bucketMid(i))
		if v > 0 && math.Abs(mid-float64(v))/float64(v) > RelativeError {
			t.Fatalf("midpoint %v of %d off by more than %v", mid, v, RelativeError)
		}
	})
}

func TestBucketsAreContiguous(t *testing.T) {
	var next uint64
	for i := 0; i < numBuckets; i++ {
		low, width := bucketLow(i)
		if low != next {
			t.Fatalf("bucket %d starts at %d, previous ended at %d", i, low, next)
		}
		next = low + width
	}
	if next != uint64(MaxResolved)+1 {
		t.Fatalf("buckets end at %d, want %d", next, uint64(MaxResolved)+1)
	}
}

func TestPercentilesMatchExactSort(t *testing.T) {
	gens := map[string]func(*rng.Source) time.Duration{
		// Log-uniform over 1µs..1h: every octave of the documented range.
		"loguniform": func(s *rng.Source) time.Duration {
			return time.Duration(math.Exp(math.Log(1e3) + s.Float64()*(math.Log(3.6e12)-math.Log(1e3))))
		},
		"lognormal-100ms": func(s *rng.Source) time.Duration {
			return time.Duration(1e8 * math.Exp(0.8*s.NormFloat64()))
		},
		"small-exact": func(s *rng.Source) time.Duration { return time.Duration(s.Intn(64)) },
	}
	for name, gen := range gens {
		t.Run(name, func(t *testing.T) {
			src := rng.New(99)
			var h Histogram
			vals := make([]time.Duration, 50000)
			var sum float64
			for i := range vals {
				vals[i] = gen(src)
				h.Record(vals[i])
				sum += float64(vals[i])
			}
			slices.Sort(vals)
			for _, p := range []float64{0, 1, 10, 50, 90, 99, 99.9, 100} {
				rank := int(math.Ceil(p / 100 * float64(len(vals))))
				exact := vals[max(rank, 1)-1]
				got := h.Percentile(p)
				if diff := math.Abs(float64(got - exact)); diff > RelativeError*float64(exact) {
					t.Errorf("p%v = %v, exact %v: off by %.3f%%", p, got, exact, 100*diff/float64(exact))
				}
			}
			if h.Count() != uint64(len(vals)) || h.Max() != vals[len(vals)-1] || h.Min() != vals[0] {
				t.Errorf("count/min/max = %d/%v/%v, want %d/%v/%v", h.Count(), h.Min(), h.Max(), len(vals), vals[0], vals[len(vals)-1])
			}
			if want := time.Duration(math.Round(sum / float64(len(vals)))); absDur(h.Mean()-want) > 1 {
				t.Errorf("mean %v, want %v", h.Mean(), want)
			}
		})
	}
}

func TestEmptyAndEdgeCases(t *testing.T) {
	var h Histogram
	if h.Percentile(50) != 0 || h.Mean() != 0 || h.Max() != 0 || h.Count() != 0 {
		t.Fatal("empty histogram reports non-zero")
	}
	h.Record(-5) // clamps to 0
	h.Record(2 * time.Hour)
	if h.Min() != 0 || h.Max() != 2*time.Hour {
		t.Fatalf("min/max %v/%v", h.Min(), h.Max())
	}
	// Beyond MaxResolved the percentile is bounded by the exact max.
	if p := h.Percentile(99); p > 2*time.Hour || p < MaxResolved/2 {
		t.Fatalf("p99 of {0, 2h} = %v", p)
	}
	if h.Percentile(math.NaN()) != 0 || h.Percentile(-1) != 0 || h.Percentile(1000) != 2*time.Hour {
		t.Fatal("out-of-range p not clamped")
	}
	h.Reset()
	if h != (Histogram{}) {
		t.Fatal("Reset left state")
	}
}

func TestMeanDoesNotOverflow(t *testing.T) {
	var h Histogram
	// 10^7 × 1h ≈ 3.6e19 ns overflows a uint64 sum.
	h.RecordN(time.Hour, 10_000_000)
	h.Record(time.Hour)
	if h.Mean() != time.Hour {
		t.Fatalf("mean %v, want 1h", h.Mean())
	}
}

func TestMergeEqualsRecordingEverything(t *testing.T) {
	src := rng.New(5)
	var a, b, all Histogram
	for i := 0; i < 20000; i++ {
		d := time.Duration(src.ExpFloat64() * 5e7)
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	a.Merge(&b)
	if a != all {
		t.Fatalf("merged %+v differs from direct %+v", a.Summary(), all.Summary())
	}
	var empty Histogram
	a.Merge(&empty)
	empty.Merge(&all)
	if a != all || empty != all {
		t.Fatal("merging with an empty histogram changed the result")
	}
}

func TestHistogramDeterministic(t *testing.T) {
	fill := func() Histogram {
		src := rng.New(77)
		var h Histogram
		for i := 0; i < 10000; i++ {
			h.Record(time.Duration(src.Uint64n(1e10)))
		}
		return h
	}
	a, b := fill(), fill()
	if a != b {
		t.Fatal("same input, different histograms")
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	h := new(Histogram)
	d := time.Millisecond
	if n := testing.AllocsPerRun(1000, func() { h.Record(d); d += 7919 }); n != 0 {
		t.Fatalf("%v allocs per Record", n)
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// Property: RecordAll leaves a histogram exactly as Record of each value
// in turn does (counts, count, sum, min, max), from any earlier state,
// for negative values, values past the resolved range and empty batches.
func TestRecordAllIsRecordEach(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		value := rapid.Custom(func(t *rapid.T) time.Duration {
			return time.Duration(rapid.OneOf(rapid.Int64Range(-10, 200), rapid.Int64Range(0, 1e10),
				rapid.Int64Range(int64(MaxResolved)-5, math.MaxInt64)).Draw(t, "ns"))
		})
		var each, all Histogram
		for _, d := range rapid.SliceOf(value).Draw(t, "before") {
			each.Record(d)
			all.Record(d)
		}
		for _, batch := range rapid.SliceOfN(rapid.SliceOf(value), 0, 4).Draw(t, "batches") {
			for _, d := range batch {
				each.Record(d)
			}
			all.RecordAll(batch)
		}
		if each != all {
			t.Fatalf("RecordAll %+v, Record each %+v", all.Summary(), each.Summary())
		}
	})
}

// percentileWalkingAll is Percentile as it was before its walk started
// at the smallest observation's bucket: from bucket 0.
func percentileWalkingAll(h *Histogram, p float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	if !(p > 0) {
		return h.min
	}
	if p >= 100 {
		return h.max
	}
	rank := max(1, uint64(math.Ceil(p/100*float64(h.count))))
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i]
		if seen >= rank {
			return max(h.min, min(h.max, bucketMid(i)))
		}
	}
	return h.max
}

// Property: Percentile, walking from the smallest observation's bucket,
// and Summary, walking once for its four percentiles, report what a walk
// of every bucket reports, for histograms recorded or merged, with
// negative values and values past the resolved range.
func TestPercentilesWalkFromTheSmallestObservation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		value := rapid.Custom(func(t *rapid.T) time.Duration {
			return time.Duration(rapid.OneOf(rapid.Int64Range(-10, 200), rapid.Int64Range(0, 1e10),
				rapid.Int64Range(int64(MaxResolved)-5, math.MaxInt64)).Draw(t, "ns"))
		})
		var h, other Histogram
		h.RecordAll(rapid.SliceOf(value).Draw(t, "values"))
		other.RecordAll(rapid.SliceOf(value).Draw(t, "merged"))
		h.Merge(&other)
		for _, p := range []float64{-1, 0, 1e-9, 1, 50, 90, 99, 99.9, 99.999, 100, 101} {
			if got, want := h.Percentile(p), percentileWalkingAll(&h, p); got != want {
				t.Fatalf("Percentile(%v) = %v, a walk of every bucket %v", p, got, want)
			}
		}
		s := h.Summary()
		want := Summary{Count: h.count, Mean: h.Mean(), Max: h.max,
			P50: percentileWalkingAll(&h, 50), P90: percentileWalkingAll(&h, 90),
			P99: percentileWalkingAll(&h, 99), P999: percentileWalkingAll(&h, 99.9)}
		if s != want {
			t.Fatalf("Summary %+v, percentiles one by one %+v", s, want)
		}
	})
}
