package engine

import "math/bits"

// firstSet returns the index of the first set bit at or after from, or -1.
func firstSet(w []uint64, from int) int {
	for i := from >> 6; i < len(w); i++ {
		word := w[i]
		if i == from>>6 {
			word &= ^uint64(0) << (uint(from) & 63)
		}
		if word != 0 {
			return i<<6 + bits.TrailingZeros64(word)
		}
	}
	return -1
}

// lastSet returns the index of the last set bit below limit, or -1.
func lastSet(w []uint64, limit int) int {
	for i := (limit - 1) >> 6; i >= 0 && limit > 0; i-- {
		word := w[i]
		if i == (limit-1)>>6 && limit&63 != 0 {
			word &= (uint64(1) << (uint(limit) & 63)) - 1
		}
		if word != 0 {
			return i<<6 + 63 - bits.LeadingZeros64(word)
		}
	}
	return -1
}

// countSet counts set bits below limit.
func countSet(w []uint64, limit int) int {
	n := 0
	for i := 0; i < len(w) && i<<6 < limit; i++ {
		word := w[i]
		if (i+1)<<6 > limit {
			word &= (uint64(1) << (uint(limit) & 63)) - 1
		}
		n += bits.OnesCount64(word)
	}
	return n
}

// nthSet returns the index of the k-th (0-based) set bit.
func nthSet(w []uint64, k int) int {
	for i, word := range w {
		c := bits.OnesCount64(word)
		if k >= c {
			k -= c
			continue
		}
		for ; k > 0; k-- {
			word &= word - 1
		}
		return i<<6 + bits.TrailingZeros64(word)
	}
	return -1
}
