package fidelity

import (
	"math"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/scenario"
)

var tol = scenario.Fidelity{SampleEvery: 5 * time.Second, Instances: 1, Share: 0.9, Latency: 0.15, ColdStarts: 1}

// run makes a report with per-second requested and healthy curves.
func run(requested, healthy []float64, p50, p99 float64, cold, coldSvc int64) *sim.Report {
	r := &sim.Report{}
	for i := range requested {
		r.Series.TimeS = append(r.Series.TimeS, float64(i))
	}
	r.Series.Requested, r.Series.Healthy = requested, healthy
	r.Totals.LatencyMS = sim.Latency{P50: p50, P99: p99}
	r.Totals.ColdStarts, r.Totals.ColdStartServices = cold, coldSvc
	return r
}

func TestCompareSamplesEveryFiveSeconds(t *testing.T) {
	real := make([]float64, 21) // samples at 0, 5, 10, 15, 20
	simd := make([]float64, 21)
	for i := range simd {
		simd[i] = 5 // off by 5 between samples: not looked at
	}
	simd[0], simd[5], simd[10], simd[15], simd[20] = 0, 1, 2, 0, -3
	c := Compare("real", run(real, real, 100, 200, 3, 1), "sim", run(simd, real, 110, 260, 5, 1), tol)
	if c.Samples != 5 {
		t.Fatalf("samples %d, want 5", c.Samples)
	}
	if c.RequestedWithin != 0.6 || c.HealthyWithin != 1 {
		t.Errorf("within %v %v, want 0.6 and 1", c.RequestedWithin, c.HealthyWithin)
	}
	if want := math.Sqrt((1 + 4 + 9) / 5.0); math.Abs(c.RequestedRMS-want) > 1e-9 {
		t.Errorf("RMS %v, want %v", c.RequestedRMS, want)
	}
	if math.Abs(c.P50-0.1) > 1e-9 || math.Abs(c.P99-0.3) > 1e-9 || c.ColdStarts != 2 || c.ColdStartServices != 0 {
		t.Errorf("comparison %+v", c)
	}
}

func TestJudgeAppliesTheScenariosTolerances(t *testing.T) {
	flat := make([]float64, 11)
	real := []*sim.Report{run(flat, flat, 100, 1000, 4, 1), run(flat, flat, 110, 1100, 6, 1)}
	good := run(flat, flat, 110, 1150, 6, 1) // p50 +4.8 %, p99 +9.5 %, cold starts +1
	var cmp []Comparison
	for _, r := range real {
		cmp = append(cmp, Compare("real", r, "sim", good, tol))
	}
	if checks, ok := Judge(good, real, cmp, tol); !ok {
		t.Fatalf("a close simulation fails: %+v", checks)
	}
	bad := run(flat, flat, 110, 1300, 7, 2) // p99 +23.8 %, cold starts +2, services +1
	checks, ok := Judge(bad, real, cmp, tol)
	if ok {
		t.Fatal("a simulation off by 24 % in p99 passes")
	}
	failed := map[string]bool{}
	for _, c := range checks {
		if !c.Passed {
			failed[c.What] = true
		}
	}
	if !failed["p99 latency"] || !failed["cold starts (requests)"] || failed["cold starts (services)"] || failed["p50 latency"] {
		t.Errorf("failed checks %v", failed)
	}
}

// A bimodal figure: real runs whose p99 lands on either side of a
// scale-up pass average 1000 ms; simulations 780 and 1240 ms, each off
// by more than 15 %, average 1010 ms, which the ensemble judges.
func TestJudgeEnsembleJudgesTheMembersMean(t *testing.T) {
	flat := make([]float64, 11)
	real := []*sim.Report{run(flat, flat, 100, 900, 2, 1), run(flat, flat, 100, 1100, 3, 1)}
	early, late := run(flat, flat, 100, 780, 2, 1), run(flat, flat, 100, 1240, 4, 1)
	var cmp []Comparison
	for _, r := range real {
		cmp = append(cmp, Compare("real", r, "sim", early, tol))
	}
	for _, one := range []*sim.Report{early, late} {
		if _, ok := JudgeEnsemble([]*sim.Report{one}, real, cmp, tol); ok {
			t.Errorf("one simulation with p99 %v passes against a real mean of 1000", one.Totals.LatencyMS.P99)
		}
	}
	checks, ok := JudgeEnsemble([]*sim.Report{early, late}, real, cmp, tol)
	if !ok {
		t.Fatalf("the members' mean fails: %+v", checks)
	}
	if want := "1010 ms simulated (mean of 2), 1000 ms real (+1.0 %)"; checks[3].Value != want {
		t.Errorf("p99 check reads %q, want %q", checks[3].Value, want)
	}
	if want := "3.0 simulated (mean of 2), 2.5 real (+0.5)"; checks[4].Value != want {
		t.Errorf("cold-start check reads %q, want %q", checks[4].Value, want)
	}
}
