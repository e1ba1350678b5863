package load

import (
	"math"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
)

// rateFunc is an arrival rate λ(t) in requests per second, with t in seconds
// since the epoch, together with the piecewise-constant bound that thinning
// needs.
type rateFunc interface {
	// segment returns an upper bound of λ on [t, until), with until > t
	// (possibly +Inf), and whether λ equals the bound throughout. It is called
	// with non-decreasing t, which lets stateful rates (bursty) advance lazily.
	// Once λ is 0 for good it must return a bound of 0 until +Inf, which is
	// how the generator learns that the process has ended.
	segment(t float64) (bound, until float64, exact bool)
	// rate returns λ(t); called only for t inside the last segment returned.
	rate(t float64) float64
}

// bracketer is a rateFunc that also bounds λ on [t, until): a candidate
// there whose draw falls below the low bound is kept, and one at or above
// the high bound refused, without computing λ (a squeeze), with the same
// outcome as the full test, since low ≤ λ ≤ high.
type bracketer interface {
	bracket(t float64) (low, high, until float64)
}

// poisson generates an inhomogeneous Poisson process by thinning: candidates
// arrive at the bound's rate and each is kept with probability λ(t)/bound.
// When a candidate crosses the end of the current piece it is discarded and
// generation restarts at the boundary, which memorylessness makes exact.
type poisson struct {
	src  *rng.Source
	rate rateFunc
	br   bracketer // rate's own bounds, if it has them
	// lo ≤ λ ≤ hi from the candidate that asked br for them to brUntil.
	lo, hi, brUntil float64

	t            float64 // seconds; the last candidate or boundary
	bound, until float64 // the current piece: bound holds on [t, until)
	exact        bool
	done         bool
}

func newPoisson(rf rateFunc, src *rng.Source) *poisson {
	br, _ := rf.(bracketer)
	return &poisson{src: src, rate: rf, br: br}
}

func (p *poisson) Next() (time.Duration, bool) {
	if p.done {
		return 0, false
	}
	for {
		if p.t >= p.until {
			p.bound, p.until, p.exact = p.rate.segment(p.t)
		}
		if p.bound <= 0 {
			if math.IsInf(p.until, 1) {
				p.done = true
				return 0, false
			}
			p.t = p.until // an idle piece: jump over it without drawing
			continue
		}
		c := p.t + p.src.ExpFloat64()/p.bound
		if c >= p.until {
			p.t = p.until
			continue
		}
		p.t = c
		if p.exact || p.keep(c) {
			at, ok := toDuration(c)
			if !ok {
				p.done = true
			}
			return at, ok
		}
	}
}

func (p *poisson) skipTo(t time.Duration) {
	if s := seconds(t); s > p.t {
		p.t = s
	}
}

// keep draws whether the candidate at c is kept: with probability
// λ(c)/bound. A draw outside the rate's bracket at c is decided without
// computing λ (a sine for a diurnal load).
func (p *poisson) keep(c float64) bool {
	x := p.src.Float64() * p.bound
	if p.br != nil {
		if c >= p.brUntil { // candidates only move forward
			p.lo, p.hi, p.brUntil = p.br.bracket(c)
		}
		if x < p.lo {
			return true
		}
		if x >= p.hi {
			return false
		}
	}
	return x < p.rate.rate(c)
}
