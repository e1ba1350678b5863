package main

import (
	"fmt"
	"math"
)

// Each Waiter target (token, headers) is also compared with nginx round
// by round, and with -base-waiter with the base's same target: two
// targets run in the same round, so a ratio per round cancels what the
// host did to both, and counting the rounds in which one was cheaper
// says whether a difference is more than the host's noise. On this
// 2-core host the medians of a few rounds moved ±5 % from run to run
// while a change was worth 1-2 %; many short rounds (-rounds 20 -d 3s)
// and a sign test tell such a change from noise where the medians
// cannot.

// pairedLine compares target a with target b over the rounds both ran:
// cpuA and cpuB are their CPU per request, rpsA and rpsB their
// throughputs (or any per-round quantity proportional to them), one
// entry a round.
func pairedLine(a, b string, cpuA, cpuB, rpsA, rpsB []float64) string {
	cpu := pairedRatios(cpuA, cpuB)
	rps := pairedRatios(rpsA, rpsB)
	less, lessOf := below(cpu)
	more, moreOf := below(invert(rps))
	return fmt.Sprintf("%s against %s, round by round: CPU per request %.3f× (median of %d rounds' ratios; less in %d of %d, sign test p=%.3f), "+
		"throughput %.3f× (more in %d of %d, p=%.3f)",
		a, b, median(cpu), len(cpu), less, lessOf, signTest(less, lessOf), median(rps), more, moreOf, signTest(more, moreOf))
}

// pairedRatios is a[k]/b[k] for the rounds where both were measured
// (above zero: a target that served nothing in a round has no CPU per
// request, and a ratio with it would be 0 or infinite).
func pairedRatios(a, b []float64) []float64 {
	var r []float64
	for k := range min(len(a), len(b)) {
		if b[k] > 0 && a[k] > 0 {
			r = append(r, a[k]/b[k])
		}
	}
	return r
}

// invert is 1/x of each ratio.
func invert(ratios []float64) []float64 {
	r := make([]float64, len(ratios))
	for k, x := range ratios {
		r[k] = 1 / x
	}
	return r
}

// below counts the ratios under 1, out of those not exactly 1 (a tie
// says neither).
func below(ratios []float64) (n, of int) {
	for _, x := range ratios {
		switch {
		case x < 1:
			n, of = n+1, of+1
		case x > 1:
			of++
		}
	}
	return n, of
}

// signTest is the two-sided p-value of k successes in n fair coin
// tosses: the chance of a count at least as far from n/2 as k is when
// neither side is favoured (1 for n = 0).
func signTest(k, n int) float64 {
	if n == 0 {
		return 1
	}
	tail := min(k, n-k)
	p := 0.0
	for i := 0; i <= tail; i++ {
		p += binomialHalf(n, i)
	}
	return math.Min(1, 2*p)
}

// binomialHalf is C(n, i) / 2^n, through logarithms so that large n
// neither overflows nor underflows on the way.
func binomialHalf(n, i int) float64 {
	lg := func(x int) float64 { v, _ := math.Lgamma(float64(x + 1)); return v }
	return math.Exp(lg(n) - lg(i) - lg(n-i) - float64(n)*math.Ln2)
}
