package load

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
	"github.com/waiter-go/waiter/sim/strictyaml"
)

func rollout() SplitSpec {
	return SplitSpec{
		Versions: []string{"v1", "v2"},
		Schedule: []WeightPoint{
			{At: 0, Weights: []float64{1, 0}},
			{At: 10 * time.Minute, Weights: []float64{1, 0}},
			{At: 20 * time.Minute, Weights: []float64{0, 1}},
		},
	}
}

func TestSplitterFollowsTheSchedule(t *testing.T) {
	s, err := NewSplitter(rollout(), rng.New(1))
	if err != nil {
		t.Fatal(err)
	}
	const n = 40000
	for _, c := range []struct {
		at     time.Duration
		wantV2 float64
	}{
		{0, 0}, {5 * time.Minute, 0}, {10 * time.Minute, 0},
		{12*time.Minute + 30*time.Second, 0.25}, {15 * time.Minute, 0.5},
		{20 * time.Minute, 1}, {time.Hour, 1},
	} {
		v2 := 0
		for i := 0; i < n; i++ {
			if s.Pick(c.at) == 1 {
				v2++
			}
		}
		got := float64(v2) / n
		// Binomial sd is at most 0.0025 here; exact 0 and 1 must be exact.
		if math.Abs(got-c.wantV2) > 0.0125 || ((c.wantV2 == 0 || c.wantV2 == 1) && got != c.wantV2) {
			t.Errorf("at %v: v2 share %v, want %v", c.at, got, c.wantV2)
		}
		if w := s.Weights(c.at, nil); math.Abs(w[1]/(w[0]+w[1])-c.wantV2) > 1e-12 {
			t.Errorf("at %v: weights %v", c.at, w)
		}
	}
}

func TestSplitterTimeMayGoBackwards(t *testing.T) {
	s, _ := NewSplitter(rollout(), rng.New(1))
	s.Pick(time.Hour)
	if w := s.Weights(0, nil); !reflect.DeepEqual(w, []float64{1, 0}) {
		t.Fatalf("weights at 0 after a later pick: %v", w)
	}
}

func TestSplitterInstantSwitchAndSingleVersion(t *testing.T) {
	spec := SplitSpec{Versions: []string{"a", "b", "c"}, Schedule: []WeightPoint{
		{At: time.Minute, Weights: []float64{1, 0, 0}},
		{At: time.Minute, Weights: []float64{0, 0, 2}},
	}}
	s, err := NewSplitter(spec, rng.New(2))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if v := s.Pick(time.Minute - 1); v != 0 {
			t.Fatalf("before the switch: picked %d", v)
		}
		if v := s.Pick(time.Minute); v != 2 {
			t.Fatalf("at the switch: picked %d", v)
		}
	}
	one, _ := NewSplitter(SplitSpec{Versions: []string{"only"}, Schedule: []WeightPoint{{Weights: []float64{1}}}}, rng.New(1))
	if one.Pick(time.Hour) != 0 || one.Versions()[0] != "only" {
		t.Fatal("single version")
	}
}

func TestSplitterDeterministicAndAllocationFree(t *testing.T) {
	a, _ := NewSplitter(rollout(), rng.New(3))
	b, _ := NewSplitter(rollout(), rng.New(3))
	for i := 0; i < 10000; i++ {
		at := time.Duration(i) * 150 * time.Millisecond
		if a.Pick(at) != b.Pick(at) {
			t.Fatalf("pick %d differs between equal seeds", i)
		}
	}
	at := 15 * time.Minute
	if n := testing.AllocsPerRun(1000, func() { a.Pick(at) }); n != 0 {
		t.Fatalf("%v allocs per Pick", n)
	}
}

func TestSplitSpecYAML(t *testing.T) {
	in := `
versions: [v1, v2]
schedule:
  - {at: 0s, weights: [1, 0]}
  - {at: 10m, weights: [1, 0]}
  - {at: 20m, weights: [0, 1]}
`
	var got SplitSpec
	if err := strictyaml.Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rollout()) {
		t.Fatalf("got %+v", got)
	}
	bad := map[string]string{
		"versions: []\nschedule: [{at: 0s, weights: []}]":                                           "line 1: versions: must name at least one version",
		"versions: [a, a]\nschedule: [{at: 0s, weights: [1, 1]}]":                                   `versions[1]: "a" is listed twice`,
		"versions: [a, b]\nschedule:\n  - {at: 0s, weights: [1]}":                                   "line 3: schedule[0].weights: must have one weight per version (2), got 1",
		"versions: [a, b]\nschedule:\n  - {at: 0s, weights: [0, 0]}":                                "schedule[0].weights: must not all be 0",
		"versions: [a, b]\nschedule:\n  - {at: 5m, weights: [1, 0]}\n  - {at: 1m, weights: [0, 1]}": "line 4: schedule[1].at: points must be in time order",
		"versions: [a]\nschedule:\n  - {at: 0s, weights: [-1]}":                                     "schedule[0].weights[0]: must be finite and ≥ 0, got -1",
		"versions: [a]\nschedule:\n  - {at: 0s, weight: [1]}":                                       `line 3: schedule[0].weight: unknown field "weight": did you mean weights? (known: at, weights)`,
		"versions: [a]\nschedul: []":                                                                `line 2: schedul: unknown field "schedul": did you mean schedule? (known: versions, schedule)`,
	}
	for in, want := range bad {
		var s SplitSpec
		err := strictyaml.Unmarshal([]byte(in), &s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q:\n got  %v\n want …%s…", in, err, want)
		}
	}
}
