package load

import (
	"math"
	"time"
)

// regular is a deterministic process: arrivals exactly every period seconds,
// the first at 0. The k-th time is computed as k·period rather than by
// accumulation, so there is no drift over long runs.
type regular struct {
	period float64
	k      int64
	done   bool
}

func (r *regular) Next() (time.Duration, bool) {
	if r.done {
		return 0, false
	}
	at, ok := toDuration(float64(r.k) * r.period)
	if !ok {
		r.done = true
		return 0, false
	}
	r.k++
	return at, true
}

func (r *regular) skipTo(t time.Duration) {
	k := int64(math.Ceil(seconds(t) / r.period))
	// Guard the rounding at the boundary: the skipped-to arrival must not be
	// reported before t.
	for {
		at, ok := toDuration(float64(k) * r.period)
		if !ok || at >= t {
			break
		}
		k++
	}
	if k > r.k {
		r.k = k
	}
}

// never is a process without arrivals (a constant rate of 0).
type never struct{}

func (never) Next() (time.Duration, bool) { return 0, false }
func (never) skipTo(time.Duration)        {}
