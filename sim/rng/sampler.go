package rng

import "time"

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
	// ahead[next:] are the next values, drawn samplerBlock at a time
	// (fill; next is samplerBlock when none is left). First, so that a
	// draw from the block reads one line.
	next  uint8
	ahead [samplerBlock]time.Duration
	src   Source
	a, b  float64 // the Dist's parameters (Dist.drawn)
	unit  float64
	kind  drawKind
}

// samplerBlock is how many values a Sampler draws at once. Each value's
// logarithm or exponential takes tens of cycles that its result then
// waits for; drawn one per request, between a request's other work,
// nothing overlapped them, and the draws were a fifth of spike.yaml's
// time. Drawn in a loop of their own, one value's arithmetic overlaps the
// next one's (they share only the stream's integer state). The stream is
// the Sampler's own, so drawing ahead gives the same values in the same
// order.
const samplerBlock = 8

// NewSampler returns a Sampler of d whose stream continues src's (a
// copy: src itself is left as it is), its values scaled by unit.
func NewSampler(d Dist, src *Source, unit time.Duration) *Sampler {
	s := &Sampler{next: samplerBlock, src: *src, unit: float64(unit)}
	s.kind, s.a, s.b = d.drawn()
	return s
}

// Duration draws one value, as SampleDuration does.
func (s *Sampler) Duration() time.Duration {
	if s.next == samplerBlock {
		s.fill()
	}
	d := s.ahead[s.next]
	s.next++
	return d
}

// fill draws the next samplerBlock values.
func (s *Sampler) fill() {
	if s.kind == drawLogNormal {
		s.fillLogNormal()
	} else {
		for i := range s.ahead {
			s.ahead[i] = scaled(draw(s.kind, s.a, s.b, &s.src), s.unit)
		}
	}
	s.next = 0
}
