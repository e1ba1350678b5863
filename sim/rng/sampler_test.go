package rng

import (
	"testing"
	"time"
)

// TestSamplerIsSampleDuration checks that a Sampler draws exactly what
// Dist.SampleDuration draws from a twin stream, value for value, and
// leaves its stream where SampleDuration leaves the twin.
func TestSamplerIsSampleDuration(t *testing.T) {
	dists := []Dist{
		{},
		{Kind: Constant, Value: 0.05},
		{Kind: Uniform, Min: 3, Max: 6},
		{Kind: Uniform, Min: 0.1, Max: 0.1},
		{Kind: Exponential, Mean: 0.1},
		{Kind: Normal, Mean: 0.2, Stddev: 0.1},
		{Kind: Normal, Mean: 0, Stddev: 0.3},
		{Kind: Normal, Mean: 0.2},
		{Kind: LogNormal, Median: 0.08, Sigma: 0.5},
		{Kind: LogNormal, Mean: 0.1, Sigma: 0.7},
		{Kind: LogNormal, Median: 2, Sigma: 0},
	}
	for _, d := range dists {
		for _, unit := range []time.Duration{time.Second, time.Millisecond} {
			// spare: the stream has drawn one normal of a pair before the
			// Sampler takes it, so the Sampler's first value is the pair's
			// second and each of its blocks ends in the middle of a pair.
			for _, spare := range []bool{false, true} {
				a, b := New(7), New(7)
				if spare {
					a.NormFloat64()
					b.NormFloat64()
				}
				s := NewSampler(d, b, unit)
				for i := 0; i < 20000; i++ {
					want := d.SampleDuration(a, unit)
					if got := s.Duration(); got != want {
						t.Fatalf("%v, unit %v, spare %v: draw %d = %v, SampleDuration %v", d, unit, spare, i, got, want)
					}
				}
				// 20,000 draws are whole blocks (samplerBlock): the
				// Sampler has drawn no further ahead than asked, and
				// keeps the same pair's second, if any.
				if a.hasSpare != s.src.hasSpare || a.hasSpare && a.spare != s.src.spare || a.Uint64() != s.src.Uint64() {
					t.Fatalf("%v, spare %v: the streams diverged", d, spare)
				}
			}
		}
	}
}

func BenchmarkSampler(b *testing.B) {
	for _, d := range []Dist{
		{Kind: Exponential, Mean: 0.1},
		{Kind: LogNormal, Median: 0.08, Sigma: 0.5},
	} {
		b.Run(string(d.Kind)+"/Dist", func(b *testing.B) {
			s := New(1)
			for i := 0; i < b.N; i++ {
				sinkU += uint64(d.SampleDuration(s, time.Second))
			}
		})
		b.Run(string(d.Kind)+"/Sampler", func(b *testing.B) {
			s := NewSampler(d, New(1), time.Second)
			for i := 0; i < b.N; i++ {
				sinkU += uint64(s.Duration())
			}
		})
	}
}
