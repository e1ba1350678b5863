package rng

import (
	"math"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestDistMomentsMatchExpectedValue(t *testing.T) {
	cases := []Dist{
		{Kind: Constant, Value: 2.5},
		{Kind: Uniform, Min: 1, Max: 3},
		{Kind: Exponential, Mean: 0.2},
		{Kind: Normal, Mean: 5, Stddev: 1},
		{Kind: Normal, Mean: 0.5, Stddev: 1}, // heavily truncated
		{Kind: Normal, Mean: 0, Stddev: 2},   // half-normal
		{Kind: LogNormal, Median: 0.1, Sigma: 0.5},
		{Kind: LogNormal, Mean: 0.1, Sigma: 0.5},
	}
	for _, d := range cases {
		t.Run(d.String(), func(t *testing.T) {
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			src := New(21)
			const n = 200000
			sum := 0.0
			for i := 0; i < n; i++ {
				x := d.Sample(src)
				if x < 0 {
					t.Fatalf("negative sample %v", x)
				}
				if d.Kind == Uniform && (x < d.Min || x >= d.Max) {
					t.Fatalf("uniform sample %v outside [%v,%v)", x, d.Min, d.Max)
				}
				sum += x
			}
			want := d.ExpectedValue()
			if got := sum / n; math.Abs(got-want) > 0.01*want+1e-12 {
				t.Fatalf("sample mean %v, want %v ± 1%%", got, want)
			}
		})
	}
}

func TestLogNormalMedian(t *testing.T) {
	d := Dist{Kind: LogNormal, Median: 0.3, Sigma: 1}
	src := New(4)
	below := 0
	const n = 100000
	for i := 0; i < n; i++ {
		if d.Sample(src) < 0.3 {
			below++
		}
	}
	if f := float64(below) / n; math.Abs(f-0.5) > 0.01 {
		t.Fatalf("fraction below median %v, want 0.5", f)
	}
}

func TestSampleDuration(t *testing.T) {
	d := Dist{Kind: Constant, Value: 0.25}
	if got := d.SampleDuration(New(1), time.Second); got != 250*time.Millisecond {
		t.Fatalf("got %v, want 250ms", got)
	}
}

func TestDistValidate(t *testing.T) {
	bad := map[string]Dist{
		"kind is required":               {},
		`unknown kind "gamma"`:           {Kind: "gamma"},
		`field "stddev" is not allowed`:  {Kind: Exponential, Mean: 1, Stddev: 1},
		"mean must be > 0":               {Kind: Exponential},
		"max must be ≥ min":              {Kind: Uniform, Min: 2, Max: 1},
		"min must be ≥ 0":                {Kind: Uniform, Min: -1, Max: 1},
		"stddev must be ≥ 0":             {Kind: Normal, Mean: 1, Stddev: -1},
		"mean must be ≥ 0":               {Kind: Normal, Mean: -1, Stddev: 1},
		"exactly one of median and mean": {Kind: LogNormal, Median: 1, Mean: 1, Sigma: 1},
		"values must be finite":          {Kind: Constant, Value: math.Inf(1)},
	}
	for want, d := range bad {
		err := d.Validate()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: got %v, want error containing %q", d, err, want)
		}
	}
}

func TestDistYAML(t *testing.T) {
	type holder struct {
		D Dist `yaml:"d"`
	}
	good := map[string]Dist{
		"d: 0.5":                                    {Kind: Constant, Value: 0.5},
		"d: {kind: constant, value: 2}":             {Kind: Constant, Value: 2},
		"d: {kind: uniform, min: 1, max: 2}":        {Kind: Uniform, Min: 1, Max: 2},
		"d: {kind: exponential, mean: 0.1}":         {Kind: Exponential, Mean: 0.1},
		"d: {kind: normal, mean: 1, stddev: 0.2}":   {Kind: Normal, Mean: 1, Stddev: 0.2},
		"d: {kind: lognormal, median: 1, sigma: 1}": {Kind: LogNormal, Median: 1, Sigma: 1},
		"d: {kind: lognormal, mean: 2, sigma: 0.5}": {Kind: LogNormal, Mean: 2, Sigma: 0.5},
		"d: {kind: normal, mean: 1, stddev: 0}":     {Kind: Normal, Mean: 1},
	}
	for in, want := range good {
		var h holder
		if err := yaml.Unmarshal([]byte(in), &h); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if h.D != want {
			t.Errorf("%s: got %+v, want %+v", in, h.D, want)
		}
		// Round trip through MarshalYAML.
		out, err := yaml.Marshal(holder{h.D})
		if err != nil {
			t.Fatal(err)
		}
		var back holder
		if err := yaml.Unmarshal(out, &back); err != nil || back.D != want {
			t.Errorf("round trip of %s via %q: got %+v, %v", in, out, back.D, err)
		}
	}

	bad := map[string]string{
		"d: fast":                     "line 1: dist: a bare value must be a number",
		"d: [1, 2]":                   "must be a number or a mapping",
		"d: {mean: 1}":                "kind is required",
		"d: {kind: poisson, mean: 1}": `unknown kind "poisson"`,
		"d: {kind: exponential, mean: 1, sigma: 2}":   `unknown field "sigma"`,
		"d: {kind: exponential, mean: abc}":           `field "mean": line 1: want a number, got "abc"`,
		"d: {kind: exponential, mean: .nan}":          "want a finite number",
		"d:\n  kind: normal\n  mean: 1\n  stddev: -2": "line 2: dist normal: stddev must be ≥ 0",
		"d: {kind: lognormal, sigma: 1}":              "exactly one of median and mean",
		"d: -1":                                       "value must be ≥ 0",
	}
	for in, want := range bad {
		var h holder
		err := yaml.Unmarshal([]byte(in), &h)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want error containing %q", in, err, want)
		}
	}
}

func TestDistString(t *testing.T) {
	cases := map[string]Dist{
		"lognormal(median=0.1, sigma=0.5)": {Kind: LogNormal, Median: 0.1, Sigma: 0.5},
		"uniform(min=1, max=2)":            {Kind: Uniform, Min: 1, Max: 2},
		"normal(mean=1, stddev=0)":         {Kind: Normal, Mean: 1},
	}
	for want, d := range cases {
		if got := d.String(); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
