package main

import (
	"slices"
	"testing"
)

// TestRoundOrderRunsEachPairBothWays: over two rounds every target runs
// once per round, and each of two targets runs both before and after the
// other.
func TestRoundOrderRunsEachPairBothWays(t *testing.T) {
	const n = 10
	place := func(order []int) []int { // place[target] = its turn
		p := make([]int, n)
		for turn, target := range order {
			p[target] = turn
		}
		return p
	}
	first, second := roundOrder(n, 1), roundOrder(n, 2)
	for _, order := range [][]int{first, second} {
		sorted := slices.Sorted(slices.Values(order))
		if !slices.Equal(sorted, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
			t.Fatalf("order %v does not run every target once", order)
		}
	}
	p1, p2 := place(first), place(second)
	for a := range n {
		for b := a + 1; b < n; b++ {
			if (p1[a] < p1[b]) == (p2[a] < p2[b]) {
				t.Errorf("targets %d and %d run in the same order in rounds 1 and 2 (%v, %v)", a, b, first, second)
			}
		}
	}
	if !slices.Equal(roundOrder(n, 3), first) {
		t.Errorf("round 3 runs %v, want round 1's order %v", roundOrder(n, 3), first)
	}
}
