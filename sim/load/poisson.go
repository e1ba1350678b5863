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

// floorer is a rateFunc that also knows a lower bound of λ on the last
// segment it returned: a candidate whose draw falls below it is kept
// without computing λ (a squeeze), with the same outcome, since λ ≥ floor
// there.
type floorer interface {
	floor() float64
}

// poisson generates an inhomogeneous Poisson process by thinning: candidates
// arrive at the bound's rate and each is kept with probability λ(t)/bound.
// When a candidate crosses the end of the current piece it is discarded and
// generation restarts at the boundary, which memorylessness makes exact.
type poisson struct {
	src  *rng.Source
	rate rateFunc

	t            float64 // seconds; the last candidate or boundary
	bound, until float64 // the current piece: bound holds on [t, until)
	low          float64 // λ ≥ low on the current piece (0: unknown)
	exact        bool
	done         bool
}

func newPoisson(rf rateFunc, src *rng.Source) *poisson {
	return &poisson{src: src, rate: rf}
}

func (p *poisson) Next() (time.Duration, bool) {
	if p.done {
		return 0, false
	}
	for {
		if p.t >= p.until {
			p.bound, p.until, p.exact = p.rate.segment(p.t)
			p.low = 0
			if f, ok := p.rate.(floorer); ok {
				p.low = f.floor()
			}
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
// λ(c)/bound. A draw below the piece's floor is kept without computing λ
// (a sine for a diurnal load: 3 % of a busy hour of large.yaml).
func (p *poisson) keep(c float64) bool {
	x := p.src.Float64() * p.bound
	return x < p.low || x < p.rate.rate(c)
}
