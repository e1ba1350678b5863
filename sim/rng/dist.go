package rng

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// DistKind names a family of distributions.
type DistKind string

// The distribution families a [Dist] can describe.
const (
	Constant    DistKind = "constant"    // always Value
	Uniform     DistKind = "uniform"     // uniform on [Min, Max)
	Exponential DistKind = "exponential" // exponential with mean Mean
	Normal      DistKind = "normal"      // normal(Mean, Stddev) conditioned on being ≥ 0
	LogNormal   DistKind = "lognormal"   // exp(normal), given by Median or Mean, and Sigma
)

// Dist describes a distribution of non-negative values. Only the fields of its
// Kind may be set (see [Dist.Validate]); every Kind yields values ≥ 0 because
// everything a scenario draws from a Dist is a duration, a size or a count.
//
// The unit is the caller's: a field holding a Dist says what one unit means
// (seconds, MiB, ...). [Dist.SampleDuration] converts for the common case.
type Dist struct {
	Kind   DistKind
	Value  float64 // Constant
	Min    float64 // Uniform
	Max    float64 // Uniform
	Mean   float64 // Exponential, Normal (mean before truncation), LogNormal (instead of Median)
	Stddev float64 // Normal
	Median float64 // LogNormal (instead of Mean)
	Sigma  float64 // LogNormal: standard deviation of the underlying normal
}

// Sample draws one value from d using src. A Dist that fails Validate yields
// meaningless values; the zero Dist yields 0.
func (d Dist) Sample(src *Source) float64 {
	kind, a, b := d.drawn()
	return draw(kind, a, b, src)
}

// drawKind is a family as draw takes it: DistKind names it by a string,
// which a switch compares byte by byte.
type drawKind uint8

const (
	drawConstant drawKind = iota
	drawUniform
	drawExponential
	drawNormal
	drawLogNormal
)

// drawn is d as draw takes it: its family and two parameters, a and b
// (constant a; uniform a + b·u; exponential a·E; normal a + b·N, drawn
// again while negative; lognormal a·exp(b·N), a the median).
func (d Dist) drawn() (kind drawKind, a, b float64) {
	switch d.Kind {
	case Uniform:
		return drawUniform, d.Min, d.Max - d.Min
	case Exponential:
		return drawExponential, d.Mean, 0
	case Normal:
		if d.Stddev == 0 {
			return drawConstant, d.Mean, 0
		}
		return drawNormal, d.Mean, d.Stddev
	case LogNormal:
		return drawLogNormal, d.median(), d.Sigma
	}
	return drawConstant, d.Value, 0
}

// draw is one value of the family kind with parameters a and b (drawn),
// from src: the one place Dist.Sample and Sampler draw.
func draw(kind drawKind, a, b float64, src *Source) float64 {
	switch kind {
	case drawUniform:
		return a + b*src.Float64()
	case drawExponential:
		return a * src.ExpFloat64()
	case drawNormal:
		// Resample rather than clamp, so there is no point mass at 0.
		// Validate requires Mean ≥ 0, so each try succeeds with
		// probability ≥ 1/2.
		for {
			if x := a + b*src.NormFloat64(); x >= 0 {
				return x
			}
		}
	case drawLogNormal:
		return logNormal(a, b, src.NormFloat64())
	}
	return a
}

// logNormal is the lognormal value of median a and shape b for the
// standard normal z.
func logNormal(a, b, z float64) float64 { return a * math.Exp(b*z) }

// SampleDuration draws one value and scales it by unit, rounding to the
// nearest nanosecond: Exponential{Mean: 0.2}.SampleDuration(src, time.Second)
// has a mean of 200ms.
func (d Dist) SampleDuration(src *Source, unit time.Duration) time.Duration {
	return scaled(d.Sample(src), float64(unit))
}

// scaled is a drawn value x in units of unit (a Duration's nanoseconds)
// as a Duration, rounded to the nearest nanosecond: the one rounding of
// SampleDuration and Sampler alike.
func scaled(x, unit float64) time.Duration { return time.Duration(math.Round(x * unit)) }

func (d Dist) median() float64 {
	if d.Median > 0 {
		return d.Median
	}
	return d.Mean * math.Exp(-d.Sigma*d.Sigma/2)
}

// ExpectedValue returns the mean of the distribution d describes (for Normal,
// the mean after truncation at 0).
func (d Dist) ExpectedValue() float64 {
	switch d.Kind {
	case Uniform:
		return (d.Min + d.Max) / 2
	case Exponential:
		return d.Mean
	case Normal:
		if d.Stddev == 0 {
			return d.Mean
		}
		// Mean of a normal truncated to [0, ∞): μ + σ·φ(α)/(1−Φ(α)), α = −μ/σ.
		a := -d.Mean / d.Stddev
		phi := math.Exp(-a*a/2) / math.Sqrt(2*math.Pi)
		tail := 0.5 * math.Erfc(a/math.Sqrt2)
		return d.Mean + d.Stddev*phi/tail
	case LogNormal:
		return d.median() * math.Exp(d.Sigma*d.Sigma/2)
	}
	return d.Value
}

// Validate reports the first field of d that is missing, not allowed for its
// Kind, or out of range.
func (d Dist) Validate() error {
	if err := d.check(); err != nil {
		return fmt.Errorf("rng: %w", err)
	}
	return nil
}

func (d Dist) check() error {
	used := d.setFields()
	allowed, ok := distFields[d.Kind]
	if !ok {
		if d.Kind == "" {
			return fmt.Errorf("dist: kind is required (one of %s)", kindList)
		}
		return fmt.Errorf("dist: unknown kind %q (one of %s)", d.Kind, kindList)
	}
	for _, f := range used {
		if !contains(allowed, f) {
			return fmt.Errorf("dist %s: field %q is not allowed (allowed: %s)", d.Kind, f, joinFields(allowed))
		}
	}
	for _, v := range []float64{d.Value, d.Min, d.Max, d.Mean, d.Stddev, d.Median, d.Sigma} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("dist %s: values must be finite, got %v", d.Kind, v)
		}
	}
	switch d.Kind {
	case Constant:
		return nonNegative(d.Kind, "value", d.Value)
	case Uniform:
		if err := nonNegative(d.Kind, "min", d.Min); err != nil {
			return err
		}
		if d.Max < d.Min {
			return fmt.Errorf("dist uniform: max must be ≥ min (%v), got %v", d.Min, d.Max)
		}
	case Exponential:
		return positive(d.Kind, "mean", d.Mean)
	case Normal:
		if err := nonNegative(d.Kind, "mean", d.Mean); err != nil {
			return err
		}
		return nonNegative(d.Kind, "stddev", d.Stddev)
	case LogNormal:
		if (d.Median != 0) == (d.Mean != 0) {
			return fmt.Errorf("dist lognormal: exactly one of median and mean must be set, got median=%v mean=%v", d.Median, d.Mean)
		}
		if err := nonNegative(d.Kind, "median", d.Median); err != nil {
			return err
		}
		if err := nonNegative(d.Kind, "mean", d.Mean); err != nil {
			return err
		}
		return nonNegative(d.Kind, "sigma", d.Sigma)
	}
	return nil
}

// String renders d compactly for reports, e.g. "lognormal(median=0.1, sigma=0.5)".
func (d Dist) String() string {
	allowed := distFields[d.Kind]
	s := string(d.Kind) + "("
	first := true
	for _, f := range allowed {
		v := d.field(f)
		if v == 0 && (f == "median" || (f == "mean" && d.Kind == LogNormal)) {
			continue // the unused half of lognormal's median-or-mean choice
		}
		if !first {
			s += ", "
		}
		first = false
		s += f + "=" + strconv.FormatFloat(v, 'g', -1, 64)
	}
	return s + ")"
}

// distFields lists, per kind, the fields it may set, in canonical order.
var distFields = map[DistKind][]string{
	Constant:    {"value"},
	Uniform:     {"min", "max"},
	Exponential: {"mean"},
	Normal:      {"mean", "stddev"},
	LogNormal:   {"median", "mean", "sigma"},
}

const kindList = "constant, uniform, exponential, normal, lognormal"

func (d Dist) field(name string) float64 {
	switch name {
	case "value":
		return d.Value
	case "min":
		return d.Min
	case "max":
		return d.Max
	case "mean":
		return d.Mean
	case "stddev":
		return d.Stddev
	case "median":
		return d.Median
	case "sigma":
		return d.Sigma
	}
	return 0
}

// setFields lists the non-zero parameter fields of d.
func (d Dist) setFields() []string {
	var out []string
	for _, f := range []string{"value", "min", "max", "mean", "stddev", "median", "sigma"} {
		if d.field(f) != 0 {
			out = append(out, f)
		}
	}
	return out
}

func nonNegative(k DistKind, field string, v float64) error {
	if v < 0 {
		return fmt.Errorf("dist %s: %s must be ≥ 0, got %v", k, field, v)
	}
	return nil
}

func positive(k DistKind, field string, v float64) error {
	if v <= 0 {
		return fmt.Errorf("dist %s: %s must be > 0, got %v", k, field, v)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func joinFields(fs []string) string {
	s := "kind"
	for _, f := range fs {
		s += ", " + f
	}
	return s
}
