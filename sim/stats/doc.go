// Package stats owns the simulator's measurements: a fixed-size latency
// [Histogram] and a [Timeline] that buckets counters, gauges and latencies into
// fixed-width intervals of virtual time.
//
// Both sit on the simulator's hot path (one Record per request, one Add or Set
// per event), so recording never allocates, and their memory is fixed up front:
// a run of two million requests uses the same bytes as a run of two hundred.
// The price is bounded precision: a Histogram reports each value to within
// 1/128 (< 0.8%) of itself, and a Timeline that would outgrow its interval cap
// halves its resolution instead of growing.
package stats
