package main

import (
	"math"
	"strings"
	"testing"
)

// TestSignTest: exact two-sided p-values of a fair coin's counts.
func TestSignTest(t *testing.T) {
	for _, c := range []struct {
		k, n int
		want float64
	}{
		{0, 0, 1},
		{5, 10, 1},
		{10, 10, 2.0 / 1024},
		{0, 10, 2.0 / 1024},
		{9, 10, 2 * 11.0 / 1024},
		{1, 10, 2 * 11.0 / 1024},
		{8, 10, 2 * 56.0 / 1024},
		{3, 4, 2 * 5.0 / 16},
		{2, 4, 1},                       // 2 * (1+4+6)/16 > 1: capped
		{15, 20, 2 * 21700.0 / 1048576}, // C(20,0..5) = 1+20+190+1140+4845+15504
	} {
		if got := signTest(c.k, c.n); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("signTest(%d, %d) = %.6f, want %.6f", c.k, c.n, got, c.want)
		}
	}
}

// TestPairedLineComparesRoundByRound: ratios are taken within a round,
// ties count for neither side, and rounds one side did not measure are
// left out.
func TestPairedLineComparesRoundByRound(t *testing.T) {
	// Round 2 is twice as busy for both: its ratio is the same as the
	// others', which medians of each side alone would not show.
	cpuA := []float64{9, 18, 9, 10, 9}
	cpuB := []float64{10, 20, 10, 10, 0}
	rpsA := []float64{11, 5.5, 11, 10, 7}
	rpsB := []float64{10, 5, 10, 10, 8}
	got := pairedLine("waiter (token)", "base waiter (token)", cpuA, cpuB, rpsA, rpsB)
	for _, want := range []string{
		"waiter (token) against base waiter (token), round by round:",
		"CPU per request 0.900× (median of 4 rounds' ratios; less in 3 of 3, sign test p=0.250)",
		"throughput 1.100× (more in 3 of 4, p=0.625)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("pairedLine = %q, want it to contain %q", got, want)
		}
	}
}
