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

// diurnalRate is mean + amplitude·sin(2π(t − phase)/period), amplitude ≥ 0
// (the spec's rule: its bounds take the sine's peak as λ's). Thinning bounds
// it on sixteenths of the period, each by its own peak, so about 95% of
// candidates are kept instead of mean/(mean+amplitude) with one global bound.
type diurnalRate struct {
	mean, amplitude, phase, omega float64
	slice                         float64     // period/16, in seconds
	bounds                        [16]float64 // the peak rate on each sixteenth
	// step is period/sinSteps, bracket's unit (perStep its inverse);
	// margin widens its bounds far beyond the rounding of the sine and of
	// its angle.
	step, perStep, margin float64
}

// sinSteps divides the period for bracket.
const sinSteps = 256

// sinLow[g] and sinHigh[g] bound sin(θ) for θ from step g−1 to the end of
// step g+1 (a step is 2π/sinSteps): a candidate's step, found from its
// time, may be one off the angle rate computes for it by rounding. The
// sine's extremes (π/2, 3π/2) fall on steps' edges, so between edges it
// is monotonic and its bounds on the three steps are at their edges.
var sinLow, sinHigh = sinBrackets()

func sinBrackets() (lo, hi [sinSteps]float64) {
	for g := range lo {
		lo[g], hi[g] = math.Inf(1), math.Inf(-1)
		for e := g - 1; e <= g+2; e++ {
			s := math.Sin(2 * math.Pi * float64(e) / sinSteps)
			lo[g], hi[g] = min(lo[g], s), max(hi[g], s)
		}
	}
	return lo, hi
}

func newDiurnalRate(mean, amplitude, phase, period float64) *diurnalRate {
	d := &diurnalRate{mean: mean, amplitude: amplitude, phase: phase, omega: 2 * math.Pi / period, slice: period / 16,
		step: period / sinSteps, perStep: sinSteps / period, margin: 1e-9 * (mean + amplitude)}
	for k := range d.bounds {
		// A sixteenth spans π/8 and the peak π/2 falls on a boundary, so the
		// maximum over each piece is at one of its ends.
		a, b := math.Sin(2*math.Pi*float64(k)/16), math.Sin(2*math.Pi*float64(k+1)/16)
		d.bounds[k] = mean + amplitude*max(a, b)
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
	return d.bounds[i], until, d.amplitude == 0
}

// bracket bounds λ on t's step, 1/256 of the period (π/128 of the sine,
// where a sixteenth, the thinning bound's piece, spans π/8): with it the
// thinning test computes the sine for one candidate in 25 of large.yaml's
// load, where a floor for the whole piece left it one in five: a diurnal
// arrival costs 13-15 % less (BenchmarkNext). A step holds a few hundred
// of a light service's candidates, so its bounds are computed once for
// them all.
func (d *diurnalRate) bracket(t float64) (low, high, until float64) {
	// The step is found by a product, not a quotient: one off by rounding
	// is one the tables' neighbours cover.
	k := math.Floor((t - d.phase) * d.perStep)
	until = d.phase + (k+1)*d.step
	if until <= t {
		k++
		until = d.phase + (k+1)*d.step
	}
	g := int64(k) & (sinSteps - 1) // k mod sinSteps, k < 0 too
	return d.mean + d.amplitude*sinLow[g] - d.margin, d.mean + d.amplitude*sinHigh[g] + d.margin, until
}

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
