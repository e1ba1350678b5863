package rng

import "math"

// logUnit is math.Log for the arguments the samplers give it: normal
// numbers in (0, 1] (1-u for a uniform u, and the polar method's u²+v²).
// It is the same algorithm with the same operations in the same order as
// math.Log (FreeBSD's e_log.c, which Go's pure-Go log and its amd64
// assembly both follow), so every value is bit for bit math.Log's
// (TestLogUnitIsMathLog): reports do not change. What it saves is the
// assembly's call, which the compiler can neither inline nor schedule
// around, and its special cases (zero, negative, infinite, NaN), which
// these arguments never are. Each value drawn from an exponential, and
// each pair of normals, takes one logarithm: BenchmarkExpFloat64 went
// from 9.6 to 7.6 ns, spike.yaml from 237 to 224 CPU ns a request
// (medians of 10 alternating pinned runs).
func logUnit(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
		ln2Lo = 1.90821492927058770002e-10 // 0x3dea39ef35793c76
		l1    = 6.666666666666735130e-01
		l2    = 3.999999999940941908e-01
		l3    = 2.857142874366239149e-01
		l4    = 2.222219843214978396e-01
		l5    = 1.818357216161805012e-01
		l6    = 1.531383769920937332e-01
		l7    = 1.479819860511658591e-01
	)
	// x = f1·2^k with f1 in [√½, √2), as the assembly splits it (x is
	// normal): frexp's f1 in [½, 1) by the bits, doubled (one more in
	// its exponent) when below √½. That test is made on the mantissa's
	// bits, which order as f1 does, so that it compiles to a conditional
	// move and not to a branch, which random arguments would send the
	// wrong way a third of the time.
	const mantissa = 1<<52 - 1
	bits := math.Float64bits(x)
	m := bits & mantissa
	var low uint64
	if m < math.Float64bits(math.Sqrt2/2)&mantissa {
		low = 1
	}
	k := float64(int(bits>>52&0x7ff) - 0x3fe - int(low))
	f1 := math.Float64frombits(m | (0x3fe+low)<<52)
	f := f1 - 1
	s := f / (2 + f)
	s2 := s * s
	s4 := s2 * s2
	t1 := s2 * (l1 + s4*(l3+s4*(l5+s4*l7)))
	t2 := s4 * (l2 + s4*(l4+s4*l6))
	r := t1 + t2
	hfsq := 0.5 * f * f
	return k*ln2Hi - ((hfsq - (s*(hfsq+r) + k*ln2Lo)) - f)
}
