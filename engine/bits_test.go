package engine

import (
	"testing"

	"pgregory.net/rapid"
)

// TestBitHelpersMatchNaiveScan checks the bitset helpers behind pick
// against a plain loop over a bool slice.
func TestBitHelpersMatchNaiveScan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		set := rapid.SliceOfN(rapid.Bool(), 0, 300).Draw(t, "bits")
		w := make([]uint64, (len(set)+63)/64)
		for i, b := range set {
			if b {
				w[i>>6] |= 1 << (uint(i) & 63)
			}
		}
		from := rapid.IntRange(0, len(set)).Draw(t, "from")
		want := -1
		for i := from; i < len(set); i++ {
			if set[i] {
				want = i
				break
			}
		}
		if got := firstSet(w, from); got != want {
			t.Fatalf("firstSet(%d) = %d, want %d", from, got, want)
		}
		want, count := -1, 0
		for i := 0; i < from; i++ {
			if set[i] {
				want = i
				count++
			}
		}
		if got := lastSet(w, from); got != want {
			t.Fatalf("lastSet(%d) = %d, want %d", from, got, want)
		}
		if got := countSet(w, from); got != count {
			t.Fatalf("countSet(%d) = %d, want %d", from, got, count)
		}
		if count > 0 {
			k := rapid.IntRange(0, count-1).Draw(t, "k")
			seen := -1
			for i := 0; i < len(set); i++ {
				if set[i] {
					seen++
					if seen == k {
						want = i
						break
					}
				}
			}
			if got := nthSet(w, k); got != want {
				t.Fatalf("nthSet(%d) = %d, want %d", k, got, want)
			}
		}
	})
}
