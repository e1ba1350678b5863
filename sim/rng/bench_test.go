package rng

import (
	"math"
	"testing"
	"time"
)

var sinkF float64
var sinkU uint64

func BenchmarkUint64(b *testing.B) {
	s := New(1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sinkU += s.Uint64()
	}
}

func BenchmarkFloat64(b *testing.B) {
	s := New(1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sinkF += s.Float64()
	}
}

func BenchmarkExpFloat64(b *testing.B) {
	s := New(1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sinkF += s.ExpFloat64()
	}
}

func BenchmarkNormFloat64(b *testing.B) {
	s := New(1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sinkF += s.NormFloat64()
	}
}

func BenchmarkDistSample(b *testing.B) {
	for _, d := range []Dist{
		{Kind: Exponential, Mean: 1},
		{Kind: Normal, Mean: 1, Stddev: 0.5},
		{Kind: LogNormal, Median: 1, Sigma: 0.5},
	} {
		b.Run(string(d.Kind), func(b *testing.B) {
			s := New(1)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				sinkF += d.Sample(s)
			}
		})
	}
}

func BenchmarkDerive(b *testing.B) {
	s := New(1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sinkU += s.Derive("service/frontend").seed
	}
}

// BenchmarkRound is why the simulator rounds with math.Round: every
// service time and arrival is rounded to the nanosecond, and their
// fractions are random. The baseline rounds the way this package did
// until it was measured here: math.Trunc (one instruction) and a branch
// on the fraction, fewer instructions than math.Round's bit arithmetic.
// On random fractions the branch goes either way half the time, and
// each wrong guess costs the CPU more than math.Round's whole sum:
// x-branchy-baseline below 1 means math.Round is faster. (A small table
// of values would let the branch predictor learn them, so the values
// are a 32 MB table of different draws.)
func BenchmarkRound(b *testing.B) {
	s := New(1)
	xs := make([]float64, 1<<22)
	for i := range xs {
		xs[i] = s.ExpFloat64() * 1e8
	}
	run := func(round func(float64) float64) float64 {
		sum := 0.0
		start := time.Now()
		for i := 0; i < b.N; i++ {
			sum += round(xs[i&(len(xs)-1)])
		}
		sinkF += sum
		return float64(time.Since(start).Nanoseconds()) / float64(b.N)
	}
	b.ResetTimer()
	ns := run(math.Round)
	base := run(truncAndBranch)
	b.ReportMetric(ns, "math-round-ns")
	b.ReportMetric(base, "branchy-ns")
	b.ReportMetric(ns/base, "x-branchy-baseline")
}

// truncAndBranch is math.Round by way of math.Trunc and a branch on the
// fraction: BenchmarkRound's baseline.
func truncAndBranch(x float64) float64 {
	t := math.Trunc(x)
	if math.Abs(x-t) >= 0.5 {
		t += math.Copysign(1, x)
	}
	return t
}
