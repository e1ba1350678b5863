package rng

import "testing"

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
