package rng

import "math"

// Round is math.Round, the nearest integer with halves away from zero,
// for every float64 (TestRoundIsMathRound), in fewer instructions: the
// simulator rounds every service time and every arrival to the
// nanosecond. math.Round works on the bits (about 19 instructions);
// math.Trunc is one instruction on amd64 (ROUNDSD, behind a CPU feature
// test), and x - Trunc(x) is exact for every finite x: with |Trunc(x)| ≥
// 1 the two lie within a factor of two (Sterbenz), below 1 Trunc(x) is
// zero, and from 2^52 on x is whole.
func Round(x float64) float64 {
	t := math.Trunc(x)
	if math.Abs(x-t) >= 0.5 {
		t += math.Copysign(1, x)
	}
	return t
}
