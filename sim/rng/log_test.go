package rng

import (
	"math"
	"testing"

	"pgregory.net/rapid"
)

// TestLogUnitIsMathLog holds logUnit to math.Log bit for bit on the
// arguments the samplers give it, so that no report changes: 1-u for
// every kind of uniform u (the smallest, the largest, a power of two's
// neighbours, where frexp's exponent and the √½ test turn), the polar
// method's u²+v², and any normal number in (0, 1].
func TestLogUnitIsMathLog(t *testing.T) {
	same := func(t interface{ Fatalf(string, ...any) }, x float64) {
		if got, want := logUnit(x), math.Log(x); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("logUnit(%v) = %v (%#x), math.Log = %v (%#x)", x, got, math.Float64bits(got), want, math.Float64bits(want))
		}
	}
	edges := []float64{1, math.Nextafter(1, 0), 0.5, math.Nextafter(0.5, 0), math.Nextafter(0.5, 1),
		math.Sqrt2 / 2, math.Nextafter(math.Sqrt2/2, 0), math.Nextafter(math.Sqrt2/2, 1),
		0x1p-53, 0x1p-52, 3 * 0x1p-53, 0x1p-106, math.SmallestNonzeroFloat64 * (1 << 52)}
	for _, x := range edges {
		same(t, x)
	}
	for k := 0; k < 1<<16; k++ { // the uniforms next to 0 and next to 1
		same(t, 1-float64(k)/(1<<53))
		same(t, float64(k+1)/(1<<53))
	}
	rapid.Check(t, func(t *rapid.T) {
		u := float64(rapid.Uint64Range(0, 1<<53-1).Draw(t, "u53")) / (1 << 53)
		same(t, 1-u)
		a := 2*float64(rapid.Uint64Range(0, 1<<53-1).Draw(t, "a53"))/(1<<53) - 1
		b := 2*float64(rapid.Uint64Range(0, 1<<53-1).Draw(t, "b53"))/(1<<53) - 1
		if q := a*a + b*b; q != 0 && q < 1 {
			same(t, q)
		}
		// any normal number in (0, 1]: an exponent and 52 bits of mantissa
		e := rapid.Uint64Range(1, 0x3fe).Draw(t, "exp")
		m := rapid.Uint64Range(0, 1<<52-1).Draw(t, "mant")
		same(t, math.Float64frombits(e<<52|m))
	})
}

// TestLogUnitIsMathLogOnAStream runs a stream's own draws through both,
// as ExpFloat64 and the polar method take them.
func TestLogUnitIsMathLogOnAStream(t *testing.T) {
	s := New(7)
	for i := 0; i < 2_000_000; i++ {
		x := 1 - s.Float64()
		if math.Float64bits(logUnit(x)) != math.Float64bits(math.Log(x)) {
			t.Fatalf("draw %d: logUnit(%v) = %v, math.Log = %v", i, x, logUnit(x), math.Log(x))
		}
		if _, _, q := s.polarPair(); math.Float64bits(logUnit(q)) != math.Float64bits(math.Log(q)) {
			t.Fatalf("pair %d: logUnit(%v) = %v, math.Log = %v", i, q, logUnit(q), math.Log(q))
		}
	}
}

func BenchmarkLog(b *testing.B) {
	// Independent arguments, as a sampler's block gives them.
	xs := make([]float64, 4096)
	s := New(1)
	for i := range xs {
		xs[i] = 1 - s.Float64()
	}
	b.Run("math.Log", func(b *testing.B) {
		sum := 0.0
		for i := 0; b.Loop(); i++ {
			sum += math.Log(xs[i&4095])
		}
		sinkF = sum
	})
	b.Run("logUnit", func(b *testing.B) {
		sum := 0.0
		for i := 0; b.Loop(); i++ {
			sum += logUnit(xs[i&4095])
		}
		sinkF = sum
	})
}
