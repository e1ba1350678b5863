package rng

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/strictyaml"
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

// A DurationDist is written with units, as every duration is; its
// errors name the field path and line.
func TestDurationDistYAML(t *testing.T) {
	type holder struct {
		D DurationDist `yaml:"d"`
	}
	good := map[string]Dist{
		"d: 500ms":                                        {Kind: Constant, Value: 0.5},
		"d: 0":                                            {Kind: Constant, Value: 0},
		"d: {kind: constant, value: 2s}":                  {Kind: Constant, Value: 2},
		"d: {kind: uniform, min: 1s, max: 2s}":            {Kind: Uniform, Min: 1, Max: 2},
		"d: {kind: uniform, max: 1m}":                     {Kind: Uniform, Max: 60},
		"d: {kind: exponential, mean: 100ms}":             {Kind: Exponential, Mean: 0.1},
		"d: {kind: normal, mean: 1s, stddev: 200ms}":      {Kind: Normal, Mean: 1, Stddev: 0.2},
		"d: {kind: lognormal, median: 1s, sigma: 1}":      {Kind: LogNormal, Median: 1, Sigma: 1},
		"d: {kind: lognormal, mean: 2s, sigma: 0.5}":      {Kind: LogNormal, Mean: 2, Sigma: 0.5},
		"d: {kind: lognormal, median: 80ms, sigma: 0.5}":  {Kind: LogNormal, Median: 0.08, Sigma: 0.5},
		"d: {kind: normal, mean: 1500ms}":                 {Kind: Normal, Mean: 1.5},
		"d: {kind: lognormal, median: 1m30s, sigma: 0.3}": {Kind: LogNormal, Median: 90, Sigma: 0.3},
	}
	for in, want := range good {
		var h holder
		if err := strictyaml.Unmarshal([]byte(in), &h); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if h.D.Dist != want {
			t.Errorf("%s: got %+v, want %+v", in, h.D.Dist, want)
		}
	}

	bad := map[string]string{
		"d: 5":                         "line 1: d: 5 has no unit: write 5s for 5 seconds",
		"d: 0.25":                      "write 0.25s",
		"d: fast":                      `line 1: d: want a duration such as 200ms, 5s or 1h30m, got "fast"`,
		"d: -1s":                       "d: must not be negative, got -1s",
		"d: [1s, 2s]":                  "d: want a mapping with a kind",
		"d: {mean: 1s}":                "d.kind: is required (one of constant, uniform, exponential, normal, lognormal)",
		"d: {kind: poisson, mean: 1s}": `d.kind: unknown value "poisson"`,
		"d: {kind: exponential, mean: 1s, sigma: 2}":    `d.sigma: unknown field "sigma" (known: kind, mean)`,
		"d: {kind: exponential, mean: abc}":             `d.mean: want a duration`,
		"d: {kind: exponential, mean: 0.2}":             "d.mean: 0.2 has no unit: write 0.2s",
		"d: {kind: exponential, mean: 0s}":              "d.mean: must be more than 0",
		"d: {kind: lognormal, median: 1s, sigma: .nan}": "d.sigma: want a finite number",
		"d:\n  kind: normal\n  mean: 1s\n  stddev: -2s": "line 4: d.stddev: must not be negative, got -2s",
		"d: {kind: uniform, min: 3s, max: 1s}":          "d.max: must be at least min (3s), got 1s",
		"d: {kind: uniform, min: 1s}":                   "d.max: is required",
		"d: {kind: lognormal, sigma: 1}":                "d: give exactly one of median and mean",
		"d: {kind: lognormal, median: 1s, mean: 2s}":    "d: give exactly one of median and mean",
		"d: {kind: lognormal, median: 1s, sigma: -1}":   "d.sigma: must not be negative",
	}
	for in, want := range bad {
		var h holder
		err := strictyaml.Unmarshal([]byte(in), &h)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want error containing %q", in, err, want)
		}
	}
}

func TestSecondsIsAConstant(t *testing.T) {
	if got := Seconds(80 * time.Millisecond).Dist; got != (Dist{Kind: Constant, Value: 0.08}) {
		t.Fatalf("got %+v", got)
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
