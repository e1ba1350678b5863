package load

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/strictyaml"
)

func decodeSpec(t *testing.T, in string) (Spec, error) {
	t.Helper()
	var s Spec
	err := strictyaml.Unmarshal([]byte(in), &s)
	return s, err
}

// Decoding fills in the defaults the reference lists (arrivals: poisson).
func TestSpecYAMLShapes(t *testing.T) {
	cases := map[string]Spec{
		"kind: constant\nrate: 50":                                               {Constant: &ConstantSpec{Rate: 50, Arrivals: Poisson}},
		"{kind: constant, rate: 2.5, arrivals: deterministic}":                   {Constant: &ConstantSpec{Rate: 2.5, Arrivals: Deterministic}},
		"{kind: ramp, from: 10, to: 200, start: 1m, duration: 5m}":               {Ramp: &RampSpec{From: 10, To: 200, Start: time.Minute, Duration: 5 * time.Minute}},
		"{kind: step, base: 20, multiplier: 10, start: 2m, duration: 30s}":       {Step: &StepSpec{Base: 20, Multiplier: 10, Start: 2 * time.Minute, Duration: 30 * time.Second}},
		"{kind: diurnal, mean: 100, amplitude: 80, period: 24h, phase: 6h}":      {Diurnal: &DiurnalSpec{Mean: 100, Amplitude: 80, Period: 24 * time.Hour, Phase: 6 * time.Hour}},
		"{kind: bursty, on-rate: 500, off-rate: 1, mean-on: 10s, mean-off: 50s}": {Bursty: &BurstySpec{OnRate: 500, OffRate: 1, MeanOn: 10 * time.Second, MeanOff: 50 * time.Second}},
		`
kind: sum
of:
  - {kind: constant, rate: 20}
  - kind: window
    start: 10m
    end: 12m
    load: {kind: constant, rate: 200}
  - kind: gaps
    gaps:
      - {start: 1h, duration: 30m}
    load: {kind: constant, rate: 5}
`: {Sum: &SumSpec{Of: []Spec{
			{Constant: &ConstantSpec{Rate: 20, Arrivals: Poisson}},
			{Window: &WindowSpec{Start: 10 * time.Minute, End: 12 * time.Minute, Load: Spec{Constant: &ConstantSpec{Rate: 200, Arrivals: Poisson}}}},
			{Gaps: &GapsSpec{Gaps: []Gap{{Start: time.Hour, Duration: 30 * time.Minute}}, Load: Spec{Constant: &ConstantSpec{Rate: 5, Arrivals: Poisson}}}},
		}}},
	}
	for in, want := range cases {
		got, err := decodeSpec(t, in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got  %#v\n want %#v", in, got, want)
		}
	}
}

func TestSpecYAMLErrorsNameLineAndField(t *testing.T) {
	cases := []struct{ in, want string }{
		{"rate: 5", "line 1: kind: is required"},
		{"[1, 2]", "line 1: want a mapping with a kind (one of constant, ramp"},
		{"kind: poisson\nrate: 5", `line 1: kind: unknown value "poisson" (one of constant, ramp`},
		{"kind: constant\nrate: 5\nburst: 2", `line 3: burst: unknown field "burst" (known: kind, rate, arrivals)`},
		{"kind: constant\nrate: -5", "line 2: rate: must be ≥ 0, got -5"},
		{"kind: constant\nrate: 5\narrivals: uniform", `line 3: arrivals: unknown value "uniform" (one of poisson, deterministic)`},
		{"kind: ramp\nfrom: 1\nto: 2\nduration: 300", "line 4: duration: 300 has no unit: write 300s"},
		{"kind: ramp\nfrom: 1\nto: 2\nduration: 0s", "line 4: duration: must be > 0, got 0s"},
		{"kind: diurnal\nmean: 10\namplitude: 20\nperiod: 1h", "line 3: amplitude: must be ≤ mean (10) so the rate stays ≥ 0, got 20"},
		{"kind: sum\nof: []", "line 2: of: must list at least one load"},
		{"kind: sum\nof:\n  - {kind: constant, rate: 1}\n  - kind: step\n    base: 1\n    multiplier: -2", "line 6: of[1].multiplier: must be ≥ 0, got -2"},
		{"kind: window\nstart: 5m\nend: 1m\nload: {kind: constant, rate: 1}", "line 3: end: must be after start (5m0s)"},
		{"kind: window\nstart: 5m\nload: {kind: constant, rate: 1, rat: 2}", `line 3: load.rat: unknown field "rat": did you mean rate?`},
		{"kind: gaps\ngaps:\n  - {start: 10m, duration: 5m}\n  - {start: 12m, duration: 1m}\nload: {kind: constant, rate: 1}", "line 4: gaps[1].start: gaps must be sorted and disjoint"},
		{"kind: gaps\ngaps:\n  - {start: 10m, length: 5m}\nload: {kind: constant, rate: 1}", `line 3: gaps[0].length: unknown field "length" (known: start, duration)`},
		{"kind: gaps\ngaps: []\n", "line 1: load: is required"},
		{"kind: bursty\non_rate: 5\nmean-on: 1s\nmean-off: 1s", `line 2: on_rate: unknown field "on_rate": use on-rate`},
		{"kind: window\nload: {kind: bursty, on-rate: 1, mean-on: 1s, meanOff: 1s}", `line 2: load.meanOff: unknown field "meanOff": use mean-off`},
		{"kind: window\nload: {kind: sum, of: [{kind: gaps, gaps: [{start: 1m, duration: 0s}], load: {kind: constant, rate: 1}}]}", "line 2: load.of[0].gaps[0].duration: must be > 0"},
	}
	for _, c := range cases {
		_, err := decodeSpec(t, c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n got  %v\n want …%s…", c.in, err, c.want)
		}
	}
}

func TestValidateNamesTheFieldPath(t *testing.T) {
	cases := map[string]Spec{
		"kind: is required":                     {},
		"kind: exactly one kind may be set":     {Constant: &ConstantSpec{Rate: 1}, Ramp: &RampSpec{}},
		"of[1].mean-off: must be > 0":           {Sum: &SumSpec{Of: []Spec{{Constant: &ConstantSpec{}}, {Bursty: &BurstySpec{OnRate: 1, MeanOn: 1}}}}},
		"load.gaps[0].duration: must be > 0":    {Window: &WindowSpec{Load: Spec{Gaps: &GapsSpec{Gaps: []Gap{{Start: 1}}, Load: Spec{Constant: &ConstantSpec{}}}}}},
		"load.kind: is required":                {Window: &WindowSpec{}},
		"period: must be > 0":                   {Diurnal: &DiurnalSpec{Mean: 1}},
		"rate: must be finite":                  {Constant: &ConstantSpec{Rate: math.Inf(1)}},
		"multiplier: base·multiplier overflows": {Step: &StepSpec{Base: 1e300, Multiplier: 1e300}},
	}
	for want, spec := range cases {
		err := spec.Validate()
		var se *SpecError
		if !asSpecError(err, &se) || !strings.Contains(err.Error(), "load: "+want) {
			t.Errorf("got %v, want load: %s", err, want)
		}
	}
}

func TestKind(t *testing.T) {
	for i, spec := range allKinds() {
		if spec.Kind() == "" {
			t.Errorf("spec %d has no kind", i)
		}
	}
	if (Spec{}).Kind() != "" {
		t.Error("empty spec has a kind")
	}
}
