package load

import (
	"math"
	"strconv"

	"github.com/waiter-go/waiter/sim/rng"
)

// Build validates spec and returns its process, drawing from streams derived
// from src (never from src itself, so building does not move src).
func Build(spec Spec, src *rng.Source) (Process, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	return build(spec, src), nil
}

// build assumes spec is valid. Each node derives its stream from its parent's
// by its kind, and sum children by their index, so a process's randomness is
// fixed by its position in the spec tree.
func build(spec Spec, parent *rng.Source) process {
	kind := spec.Kind()
	src := parent.Derive(kind)
	switch kind {
	case "constant":
		c := spec.Constant
		switch {
		case c.Rate == 0:
			return never{}
		case c.Arrivals == Deterministic:
			return &regular{period: 1 / c.Rate}
		}
		return newPoisson(constantRate{c.Rate}, src)
	case "ramp":
		r := spec.Ramp
		start := seconds(r.Start)
		return newPoisson(rampRate{from: r.From, to: r.To, start: start, end: start + seconds(r.Duration)}, src)
	case "step":
		s := spec.Step
		end := math.Inf(1)
		if s.Duration > 0 {
			end = seconds(s.Start + s.Duration)
		}
		return newPoisson(stepRate{base: s.Base, high: s.Base * s.Multiplier, start: seconds(s.Start), end: end}, src)
	case "diurnal":
		d := spec.Diurnal
		return newPoisson(newDiurnalRate(d.Mean, d.Amplitude, seconds(d.Phase), seconds(d.Period)), src)
	case "bursty":
		b := spec.Bursty
		phases := newBurstyRate(b.OnRate, b.OffRate, seconds(b.MeanOn), seconds(b.MeanOff), src.Derive("phases"))
		return newPoisson(phases, src.Derive("arrivals"))
	case "sum":
		kids := make([]process, len(spec.Sum.Of))
		for i, k := range spec.Sum.Of {
			kids[i] = build(k, src.Derive(strconv.Itoa(i)))
		}
		return newSum(kids)
	case "window":
		w := spec.Window
		return newWindow(build(w.Load, src), w.Start, w.End)
	case "gaps":
		g := spec.Gaps
		spans := make([]span, len(g.Gaps))
		for i, gap := range g.Gaps {
			spans[i] = span{start: gap.Start, end: gap.Start + gap.Duration}
		}
		return &gaps{kid: build(g.Load, src), spans: spans}
	}
	panic("load: build of invalid spec " + kind) // Build validated it
}
