package rng

import (
	"math"
	"time"
)

// Sampler draws durations from one Dist with a stream of its own: the
// values d.SampleDuration(src, unit) gives, in the same order, from the
// same stream (TestSamplerIsSampleDuration), with the Dist's parameters
// worked out once and the stream kept inline, so that a draw reads one
// object rather than a Dist and a Source. Dist.SampleDuration copies the
// 72-byte Dist at each call, switches on its kind's name (a string) and,
// for a lognormal given by its mean, works out the median again: the
// simulator draws every request's service time, and the draw's own
// overhead, beside its logarithm and exponential, was 5 % of spike.yaml's
// time.
type Sampler struct {
	src  Source
	a, b float64 // the Dist's parameters (Dist.drawn)
	unit float64
	kind drawKind
}

// NewSampler returns a Sampler of d whose stream continues src's (a
// copy: src itself is left as it is), its values scaled by unit.
func NewSampler(d Dist, src *Source, unit time.Duration) *Sampler {
	s := &Sampler{src: *src, unit: float64(unit)}
	s.kind, s.a, s.b = d.drawn()
	return s
}

// Duration draws one value, as SampleDuration does.
func (s *Sampler) Duration() time.Duration {
	return time.Duration(math.Round(draw(s.kind, s.a, s.b, &s.src) * s.unit))
}
