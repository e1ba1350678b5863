package stats

import (
	"math"
	"math/bits"
	"time"
)

// Bucket layout, log-linear as in HdrHistogram: values below 2^subBits ns get
// one bucket each; above that, each power of two [2^e, 2^(e+1)) is split into
// 2^subBits equal buckets. A bucket's width is at most 1/64 of its lower bound,
// so reporting its midpoint is within 1/128 of any value in it.
const (
	subBits    = 6
	subCount   = 1 << subBits
	topExp     = 42 // values up to 2^42 ns ≈ 73 min are resolved; larger ones land in the last bucket
	numBuckets = (topExp-subBits)*subCount + subCount

	// MaxResolved is the largest duration the histogram resolves to within its
	// relative error. Larger values are counted in the top bucket; Max stays exact.
	MaxResolved = time.Duration(1<<topExp - 1)

	// RelativeError bounds |reported − actual| / actual for any percentile of
	// values ≥ 64ns (smaller values are exact).
	RelativeError = 1.0 / (2 * subCount)
)

// Histogram records durations with bounded relative error in fixed memory
// (about 19 KB). The zero value is empty and ready to use. It is not safe for
// concurrent use.
type Histogram struct {
	counts   [numBuckets]uint64
	count    uint64
	sumHi    uint64 // the sum of recorded nanoseconds, as a 128-bit integer,
	sumLo    uint64 // so Mean stays exact however many values are recorded
	min, max time.Duration
}

// Record adds one observation. Negative durations count as 0.
func (h *Histogram) Record(d time.Duration) {
	// RecordN(d, 1) without its multiplication and its test of n: a
	// simulator records two latencies per request.
	if d < 0 {
		d = 0
	}
	if h.count == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.counts[bucketOf(uint64(d))]++
	h.count++
	var carry uint64
	h.sumLo, carry = bits.Add64(h.sumLo, uint64(d), 0)
	h.sumHi += carry
}

// RecordAll adds every observation of ds, as Record would one by one. The
// count, sum, min and max stay in registers through the loop: recorded one
// by one, each record's updates of them waited on the previous record's
// stores (a simulator records its latencies a batch at a time).
func (h *Histogram) RecordAll(ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	count, lo, hi, lowest, highest := h.count, h.sumLo, h.sumHi, h.min, h.max
	for _, d := range ds {
		if d < 0 {
			d = 0
		}
		if count == 0 || d < lowest {
			lowest = d
		}
		if d > highest {
			highest = d
		}
		h.counts[bucketOf(uint64(d))]++
		count++
		var carry uint64
		lo, carry = bits.Add64(lo, uint64(d), 0)
		hi += carry
	}
	h.count, h.sumLo, h.sumHi, h.min, h.max = count, lo, hi, lowest, highest
}

// RecordN adds n observations of d. Negative durations count as 0.
func (h *Histogram) RecordN(d time.Duration, n uint64) {
	if n == 0 {
		return
	}
	if d < 0 {
		d = 0
	}
	if h.count == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.counts[bucketOf(uint64(d))] += n
	h.count += n
	hi, lo := bits.Mul64(uint64(d), n)
	var carry uint64
	h.sumLo, carry = bits.Add64(h.sumLo, lo, 0)
	h.sumHi += hi + carry
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 { return h.count }

// Max returns the largest observation exactly, or 0 if there is none.
func (h *Histogram) Max() time.Duration { return h.max }

// Min returns the smallest observation exactly, or 0 if there is none.
func (h *Histogram) Min() time.Duration { return h.min }

// Mean returns the exact mean observation (rounded to the nanosecond), or 0 if
// there is none.
func (h *Histogram) Mean() time.Duration {
	if h.count == 0 {
		return 0
	}
	if h.sumHi < h.count {
		// The quotient fits in 64 bits: divide exactly.
		q, r := bits.Div64(h.sumHi, h.sumLo, h.count)
		if r*2 >= h.count {
			q++
		}
		return time.Duration(q)
	}
	return time.Duration(math.Round((float64(h.sumHi)*0x1p64 + float64(h.sumLo)) / float64(h.count)))
}

// Percentile returns the value at or below which p percent of observations
// fall (nearest rank: the ⌈p/100·n⌉-th smallest), to within RelativeError.
// p is clamped to [0, 100]; Percentile(100) is Max and Percentile(0) is Min.
// It returns 0 for an empty histogram.
func (h *Histogram) Percentile(p float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	if !(p > 0) { // also catches NaN
		return h.min
	}
	if p >= 100 {
		return h.max
	}
	var v time.Duration
	h.atRanks([]uint64{h.rank(p)}, []*time.Duration{&v})
	return v
}

// atRanks sets *out[k] to what the observation of rank ranks[k] reports,
// for ranks that do not decrease, in one walk of the buckets from the
// smallest observation's; a rank past the count reports the maximum.
// The next rank is kept in a register: the walk's loop then adds and
// compares only.
func (h *Histogram) atRanks(ranks []uint64, out []*time.Duration) {
	if len(ranks) == 0 {
		return
	}
	k, next := 0, ranks[0]
	var seen uint64
	for i := h.first(); i < numBuckets; i++ {
		seen += h.counts[i]
		for seen >= next {
			*out[k] = h.reported(i)
			if k++; k == len(ranks) {
				return
			}
			next = ranks[k]
		}
	}
	for ; k < len(ranks); k++ {
		*out[k] = h.max
	}
}

// rank is the 1-based rank of percentile p (0 < p < 100) among the
// observations: ranks grow with p.
func (h *Histogram) rank(p float64) uint64 {
	return max(1, uint64(math.Ceil(p/100*float64(h.count))))
}

// first is the bucket of the smallest observation: none below it holds
// a count, so a walk for a percentile starts there. With latencies of
// tens of milliseconds that skips most of the 2,368 buckets; a report
// walks one histogram per interval, and the walks were 1 % of a short
// run (spike.yaml) from its start to its report.
func (h *Histogram) first() int { return bucketOf(uint64(h.min)) }

// reported is the value a percentile falling in bucket i reports: its
// midpoint, within the exact extremes, which are tighter than any
// bucket bound.
func (h *Histogram) reported(i int) time.Duration { return max(h.min, min(h.max, bucketMid(i))) }

// Merge adds every observation of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.count == 0 {
		return
	}
	if h.count == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	for i := range h.counts {
		h.counts[i] += o.counts[i]
	}
	h.count += o.count
	var carry uint64
	h.sumLo, carry = bits.Add64(h.sumLo, o.sumLo, 0)
	h.sumHi += o.sumHi + carry
}

// Reset empties h.
func (h *Histogram) Reset() { *h = Histogram{} }

// Summary is a histogram's headline numbers, as reports print them.
type Summary struct {
	Count uint64
	Mean  time.Duration
	P50   time.Duration
	P90   time.Duration
	P99   time.Duration
	P999  time.Duration
	Max   time.Duration
}

// Summary returns h's count, mean, p50, p90, p99, p99.9 and max.
func (h *Histogram) Summary() Summary {
	s := Summary{Count: h.count, Mean: h.Mean(), Max: h.max}
	if h.count == 0 {
		return s
	}
	// One walk for the four: their ranks grow with p.
	ps := [...]float64{50, 90, 99, 99.9}
	var ranks [len(ps)]uint64
	for k, p := range ps {
		ranks[k] = h.rank(p)
	}
	h.atRanks(ranks[:], []*time.Duration{&s.P50, &s.P90, &s.P99, &s.P999})
	return s
}

// bucketOf maps a value in nanoseconds to its bucket index.
func bucketOf(v uint64) int {
	if v < subCount {
		return int(v)
	}
	if v > uint64(MaxResolved) {
		return numBuckets - 1
	}
	e := bits.Len64(v) - 1 // v is in [2^e, 2^(e+1)), e ≥ subBits
	shift := e - subBits
	// v>>shift is in [subCount, 2·subCount): the top subBits+1 bits of v.
	return shift*subCount + int(v>>shift)
}

// bucketLow returns the smallest value in bucket i, and its width.
func bucketLow(i int) (low, width uint64) {
	if i < subCount {
		return uint64(i), 1
	}
	shift := i/subCount - 1
	mant := uint64(i%subCount + subCount)
	return mant << shift, 1 << shift
}

// bucketMid returns the value reported for bucket i: its midpoint, which is
// within half a bucket width of anything in it.
func bucketMid(i int) time.Duration {
	low, width := bucketLow(i)
	return time.Duration(low + width/2)
}
