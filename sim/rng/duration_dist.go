package rng

import (
	"time"

	"github.com/waiter-go/waiter/sim/strictyaml"
	"go.yaml.in/yaml/v3"
)

// DurationDist is a Dist of durations: its values are seconds (draw them
// with SampleDuration(src, time.Second)), and in YAML every value is
// written with a unit, as a duration is everywhere else:
//
//	startup: 5s                                            # always 5s
//	startup: {kind: uniform, min: 3s, max: 6s}
//	service-time: {kind: lognormal, median: 80ms, sigma: 0.5}   # sigma has no unit
//
// DurationDistForm lists the mapping forms.
type DurationDist struct{ Dist }

// Seconds returns a constant DurationDist of d.
func Seconds(d time.Duration) *DurationDist {
	return &DurationDist{Dist{Kind: Constant, Value: seconds(d)}}
}

// DurationDistForm is the mapping form of a DurationDist: kind picks one
// field, whose own fields sit beside kind.
type DurationDistForm struct {
	Constant    *ConstantDurations    `kind:"constant" doc:"always value (the same as writing the duration alone)"`
	Uniform     *UniformDurations     `kind:"uniform" doc:"uniform between min and max"`
	Exponential *ExponentialDurations `kind:"exponential" doc:"exponential with the given mean (memoryless: many short, a few long)"`
	Normal      *NormalDurations      `kind:"normal" doc:"normal, redrawn while negative"`
	LogNormal   *LogNormalDurations   `kind:"lognormal" doc:"log-normal: a long right tail, typical of service and start-up times"`
}

// ConstantDurations is kind: constant.
type ConstantDurations struct {
	Value time.Duration `yaml:"value" required:"true" doc:"the duration"`
}

// UniformDurations is kind: uniform.
type UniformDurations struct {
	Min time.Duration `yaml:"min" doc:"the shortest value"`
	Max time.Duration `yaml:"max" required:"true" doc:"the longest value; at least min"`
}

// ExponentialDurations is kind: exponential.
type ExponentialDurations struct {
	Mean time.Duration `yaml:"mean" required:"true" doc:"the mean; more than 0"`
}

// NormalDurations is kind: normal.
type NormalDurations struct {
	Mean   time.Duration `yaml:"mean" required:"true" doc:"the mean before negative draws are redrawn"`
	Stddev time.Duration `yaml:"stddev" doc:"the standard deviation"`
}

// LogNormalDurations is kind: lognormal.
type LogNormalDurations struct {
	Median time.Duration `yaml:"median" computed:"none" doc:"the median; give median or mean, not both"`
	Mean   time.Duration `yaml:"mean" computed:"none" doc:"the mean; give median or mean, not both"`
	Sigma  float64       `yaml:"sigma" unit:"none" doc:"the standard deviation of the logarithm: 0.3 is narrow, 1 is wide"`
}

// UnmarshalStrict reads a bare duration as a constant, or a mapping of
// DurationDistForm; every value must be ≥ 0.
func (d *DurationDist) UnmarshalStrict(n strictyaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		v, err := strictyaml.ParseDuration(n)
		if err != nil {
			return err
		}
		if v < 0 {
			return n.Errorf("must not be negative, got %v", v)
		}
		d.Dist = Dist{Kind: Constant, Value: seconds(v)}
		return nil
	}
	var f DurationDistForm
	if err := strictyaml.Decode(n, &f); err != nil {
		return err
	}
	out, err := f.dist(n)
	if err != nil {
		return err
	}
	d.Dist = out
	return nil
}

// dist converts the form to a Dist, checking each value with the path
// and line of its field.
func (f DurationDistForm) dist(n strictyaml.Node) (Dist, error) {
	nonNegative := func(key string, v time.Duration) error {
		if v < 0 {
			return n.ErrorAt(key, "must not be negative, got %v", v)
		}
		return nil
	}
	var out Dist
	var err error
	switch {
	case f.Constant != nil:
		err = nonNegative("value", f.Constant.Value)
		out = Dist{Kind: Constant, Value: seconds(f.Constant.Value)}
	case f.Uniform != nil:
		u := f.Uniform
		err = nonNegative("min", u.Min)
		if err == nil && u.Max < u.Min {
			err = n.ErrorAt("max", "must be at least min (%v), got %v", u.Min, u.Max)
		}
		out = Dist{Kind: Uniform, Min: seconds(u.Min), Max: seconds(u.Max)}
	case f.Exponential != nil:
		if f.Exponential.Mean <= 0 {
			err = n.ErrorAt("mean", "must be more than 0, got %v", f.Exponential.Mean)
		}
		out = Dist{Kind: Exponential, Mean: seconds(f.Exponential.Mean)}
	case f.Normal != nil:
		err = nonNegative("mean", f.Normal.Mean)
		if err == nil {
			err = nonNegative("stddev", f.Normal.Stddev)
		}
		out = Dist{Kind: Normal, Mean: seconds(f.Normal.Mean), Stddev: seconds(f.Normal.Stddev)}
	case f.LogNormal != nil:
		l := f.LogNormal
		switch {
		case (l.Median != 0) == (l.Mean != 0):
			err = n.Errorf("give exactly one of median and mean (more than 0), got median %v and mean %v", l.Median, l.Mean)
		case l.Sigma < 0:
			err = n.ErrorAt("sigma", "must not be negative, got %v", l.Sigma)
		default:
			err = nonNegative("median", l.Median)
			if err == nil {
				err = nonNegative("mean", l.Mean)
			}
		}
		out = Dist{Kind: LogNormal, Median: seconds(l.Median), Mean: seconds(l.Mean), Sigma: l.Sigma}
	}
	if err != nil {
		return Dist{}, err
	}
	if err := out.Validate(); err != nil {
		return Dist{}, n.Errorf("%v", err)
	}
	return out, nil
}

// seconds converts d to seconds with one correctly rounded division, so
// 80ms gives exactly the float64 that the literal 0.08 does.
func seconds(d time.Duration) float64 {
	return float64(d) / float64(time.Second)
}
