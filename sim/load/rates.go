package load

import (
	"math"

	"github.com/waiter-go/waiter/sim/rng"
)

// constantRate is λ(t) = r.
type constantRate struct{ r float64 }

func (c constantRate) segment(float64) (float64, float64, bool) { return c.r, math.Inf(1), true }
func (c constantRate) rate(float64) float64                     { return c.r }

// rampRate holds from until start, moves linearly to to over [start, end),
// then holds to.
type rampRate struct{ from, to, start, end float64 }

func (r rampRate) segment(t float64) (float64, float64, bool) {
	switch {
	case t < r.start:
		return r.from, r.start, true
	case t < r.end:
		return max(r.from, r.to), r.end, r.from == r.to
	default:
		return r.to, math.Inf(1), true
	}
}

func (r rampRate) rate(t float64) float64 {
	switch {
	case t < r.start:
		return r.from
	case t < r.end:
		return r.from + (r.to-r.from)*(t-r.start)/(r.end-r.start)
	default:
		return r.to
	}
}

// stepRate is base, except base·multiplier on [start, end); end may be +Inf.
type stepRate struct{ base, high, start, end float64 }

func (s stepRate) segment(t float64) (float64, float64, bool) {
	switch {
	case t < s.start:
		return s.base, s.start, true
	case t < s.end:
		return s.high, s.end, true
	default:
		return s.base, math.Inf(1), true
	}
}

func (s stepRate) rate(t float64) float64 {
	if t >= s.start && t < s.end {
		return s.high
	}
	return s.base
}

// diurnalRate is mean + amplitude·sin(2π(t − phase)/period). Thinning bounds
// it on sixteenths of the period, each by its own peak, so about 95% of
// candidates are kept instead of mean/(mean+amplitude) with one global bound.
type diurnalRate struct {
	mean, amplitude, phase, omega float64
	slice                         float64     // period/16, in seconds
	bounds                        [16]float64 // the peak rate on each sixteenth
	// lows is the lowest rate on each sixteenth, less a margin far above
	// the rounding of the sine, so that λ ≥ lows[cur] however t rounds;
	// cur is the sixteenth segment returned last.
	lows [16]float64
	cur  int
}

func newDiurnalRate(mean, amplitude, phase, period float64) *diurnalRate {
	d := &diurnalRate{mean: mean, amplitude: amplitude, phase: phase, omega: 2 * math.Pi / period, slice: period / 16}
	for k := range d.bounds {
		// A sixteenth spans π/8 and the peak π/2 falls on a boundary, so the
		// maximum over each piece is at one of its ends.
		a, b := math.Sin(2*math.Pi*float64(k)/16), math.Sin(2*math.Pi*float64(k+1)/16)
		d.bounds[k] = mean + amplitude*max(a, b)
		d.lows[k] = max(0, mean+amplitude*min(a, b)-1e-9*(mean+amplitude))
	}
	return d
}

func (d *diurnalRate) segment(t float64) (float64, float64, bool) {
	if d.mean == 0 {
		// Amplitude ≤ mean, so the rate is 0 for good; without this the
		// generator would walk the zero pieces forever.
		return 0, math.Inf(1), true
	}
	k := math.Floor((t - d.phase) / d.slice)
	until := d.phase + (k+1)*d.slice
	if until <= t { // rounding put t at the very end of piece k
		k++
		until = d.phase + (k+1)*d.slice
	}
	i := int(math.Mod(k, 16))
	if i < 0 {
		i += 16
	}
	d.cur = i
	return d.bounds[i], until, d.amplitude == 0
}

func (d *diurnalRate) floor() float64 { return d.lows[d.cur] }

func (d *diurnalRate) rate(t float64) float64 {
	return d.mean + d.amplitude*math.Sin(d.omega*(t-d.phase))
}

// burstyRate is a two-state Markov-modulated rate: on and off phases with
// exponentially distributed lengths, drawn lazily from their own stream so
// that the phase pattern does not depend on how many arrivals were drawn.
type burstyRate struct {
	phases          *rng.Source
	onRate, offRate float64
	meanOn, meanOff float64 // seconds
	on              bool
	end             float64 // the current phase ends here
}

func newBurstyRate(onRate, offRate, meanOn, meanOff float64, phases *rng.Source) *burstyRate {
	b := &burstyRate{phases: phases, onRate: onRate, offRate: offRate, meanOn: meanOn, meanOff: meanOff}
	// Start in the stationary distribution: on with probability
	// meanOn/(meanOn+meanOff); by memorylessness the remaining length of the
	// current phase is again exponential with that phase's mean.
	b.on = phases.Float64()*(meanOn+meanOff) < meanOn
	b.end = b.phaseLength()
	return b
}

func (b *burstyRate) phaseLength() float64 {
	if b.on {
		return b.meanOn * b.phases.ExpFloat64()
	}
	return b.meanOff * b.phases.ExpFloat64()
}

func (b *burstyRate) segment(t float64) (float64, float64, bool) {
	if b.onRate == 0 && b.offRate == 0 {
		return 0, math.Inf(1), true // no phase will ever have arrivals
	}
	for t >= b.end {
		b.on = !b.on
		b.end += b.phaseLength()
	}
	return b.rate(t), b.end, true
}

func (b *burstyRate) rate(float64) float64 {
	if b.on {
		return b.onRate
	}
	return b.offRate
}
