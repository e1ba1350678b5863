package load

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
	"github.com/waiter-go/waiter/sim/strictyaml"
)

// SplitSpec shares one service's arrivals among its versions under a weight
// schedule, such as a rollout from v1 to v2:
//
//	versions: [v1, v2]
//	schedule:
//	  - {at: 0s,  weights: [1, 0]}
//	  - {at: 10m, weights: [1, 0]}
//	  - {at: 20m, weights: [0, 1]}
//
// Weights are interpolated linearly between points and held before the first
// and after the last. Two points at the same time make an instant switch.
// Weights are relative: [3, 1] sends three quarters to the first version.
type SplitSpec struct {
	Versions []string      `yaml:"versions" required:"true" doc:"the versions, each a separate Waiter service differing only in its version parameter"`
	Schedule []WeightPoint `yaml:"schedule" required:"true" doc:"the weights over time, interpolated linearly between points and held before the first and after the last; two points at the same time switch at once"`
}

// WeightPoint is one point of a weight schedule.
type WeightPoint struct {
	At      time.Duration `yaml:"at" doc:"the time of this point; points are in time order"`
	Weights []float64     `yaml:"weights" required:"true" unit:"relative" doc:"one weight per version, 0 or more and not all 0; [3, 1] sends three quarters to the first"`
}

// Validate reports the first field that breaks a rule, as a *SpecError.
func (s SplitSpec) Validate() error {
	if len(s.Versions) == 0 {
		return &SpecError{Field: "versions", Msg: "must name at least one version"}
	}
	seen := map[string]bool{}
	for i, v := range s.Versions {
		f := "versions[" + strconv.Itoa(i) + "]"
		if v == "" {
			return &SpecError{Field: f, Msg: "must not be empty"}
		}
		if seen[v] {
			return &SpecError{Field: f, Msg: fmt.Sprintf("%q is listed twice", v)}
		}
		seen[v] = true
	}
	if len(s.Schedule) == 0 {
		return &SpecError{Field: "schedule", Msg: "must have at least one point"}
	}
	for i, p := range s.Schedule {
		f := "schedule[" + strconv.Itoa(i) + "]"
		if p.At < 0 {
			return &SpecError{Field: f + ".at", Msg: fmt.Sprintf("must be ≥ 0, got %v", p.At)}
		}
		if i > 0 && p.At < s.Schedule[i-1].At {
			return &SpecError{Field: f + ".at", Msg: fmt.Sprintf("points must be in time order: %v is before %v", p.At, s.Schedule[i-1].At)}
		}
		if len(p.Weights) != len(s.Versions) {
			return &SpecError{Field: f + ".weights", Msg: fmt.Sprintf("must have one weight per version (%d), got %d", len(s.Versions), len(p.Weights))}
		}
		total := 0.0
		for j, w := range p.Weights {
			if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
				return &SpecError{Field: f + ".weights[" + strconv.Itoa(j) + "]", Msg: fmt.Sprintf("must be finite and ≥ 0, got %v", w)}
			}
			total += w
		}
		if !(total > 0) || math.IsInf(total, 0) {
			return &SpecError{Field: f + ".weights", Msg: "must not all be 0"}
		}
	}
	return nil
}

// UnmarshalStrict decodes a SplitSpec and validates it.
func (s *SplitSpec) UnmarshalStrict(n strictyaml.Node) error {
	var out SplitSpec
	if err := strictyaml.DecodeFields(n, &out); err != nil {
		return err
	}
	if err := out.Validate(); err != nil {
		return located(err, n)
	}
	*s = out
	return nil
}

// Splitter picks a version for each arrival. It is not safe for concurrent use.
type Splitter struct {
	versions []string
	at       []time.Duration
	weights  [][]float64
	src      *rng.Source
	seg      int // cursor: the schedule point at or before the last time asked
}

// NewSplitter validates spec and returns its splitter, drawing from a stream
// derived from src.
func NewSplitter(spec SplitSpec, src *rng.Source) (*Splitter, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	s := &Splitter{versions: append([]string(nil), spec.Versions...), src: src.Derive("split")}
	for _, p := range spec.Schedule {
		s.at = append(s.at, p.At)
		s.weights = append(s.weights, append([]float64(nil), p.Weights...))
	}
	return s, nil
}

// Versions returns the version names, indexed as Pick returns them.
func (s *Splitter) Versions() []string { return s.versions }

// Pick returns the index of the version that serves an arrival at time at,
// chosen at random in proportion to the weights in force then. Calls with
// non-decreasing times (the simulator's case) cost O(versions).
func (s *Splitter) Pick(at time.Duration) int {
	if len(s.versions) == 1 {
		return 0
	}
	i, f := s.locate(at)
	total := 0.0
	for v := range s.versions {
		total += s.weight(i, f, v)
	}
	u := s.src.Float64() * total
	last := 0
	for v := range s.versions {
		w := s.weight(i, f, v)
		if w <= 0 {
			continue
		}
		last = v
		if u < w {
			return v
		}
		u -= w
	}
	return last // u landed on total itself through rounding
}

// Weights writes the interpolated weights at time at into dst (grown as
// needed) and returns it.
func (s *Splitter) Weights(at time.Duration, dst []float64) []float64 {
	dst = dst[:0]
	i, f := s.locate(at)
	for v := range s.versions {
		dst = append(dst, s.weight(i, f, v))
	}
	return dst
}

// locate returns the schedule point i at or before at, and how far at lies
// towards point i+1 (0 when there is none).
func (s *Splitter) locate(at time.Duration) (int, float64) {
	if s.seg > 0 && at < s.at[s.seg] {
		// Time went backwards: search from scratch.
		s.seg = max(sort.Search(len(s.at), func(k int) bool { return s.at[k] > at })-1, 0)
	}
	for s.seg+1 < len(s.at) && s.at[s.seg+1] <= at {
		s.seg++
	}
	i := s.seg
	if i+1 >= len(s.at) || at <= s.at[i] {
		return i, 0
	}
	return i, float64(at-s.at[i]) / float64(s.at[i+1]-s.at[i])
}

func (s *Splitter) weight(i int, f float64, v int) float64 {
	w := s.weights[i][v]
	if f == 0 {
		return w
	}
	return w + (s.weights[i+1][v]-w)*f
}
