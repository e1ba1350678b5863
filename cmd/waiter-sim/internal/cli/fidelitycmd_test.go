package cli

import (
	"testing"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter-sim/internal/realrun"
	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/fidelity"
	"github.com/waiter-go/waiter/sim/scenario"
)

// The shell model's launch latency from the real runs is the median of
// their first instances' waits beyond start-up and half the probe
// interval at that age (2 s: 25 ms, so 12.5 ms), and never below 0.
func TestInRunStart(t *testing.T) {
	sc, err := scenario.Parse("t", []byte("name: t\nduration: 20s\nservices:\n  - name: a\n    startup: 2s\n    load: {kind: constant, rate: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(waitMS float64) *realrun.Result {
		return &realrun.Result{Report: &sim.Report{Series: sim.Series{TimeS: []float64{0}, Healthy: []float64{0}}},
			Requests: []realrun.Request{{Service: "a", AtMS: 100, SentMS: 100, WorkMS: 10, LatencyMS: waitMS + 10 + 1, Outcome: "ok"}}}
	}
	shell := modelStart(sc, "shell", 0)
	ms, n, err := inRunStart(sc, []*realrun.Result{run(2150), run(2090), run(2400)}, 1, shell)
	if err != nil || n != 3 || ms != 137.5 {
		t.Errorf("inRunStart = %v ms from %d cold starts (%v); want 137.5 ms from 3", ms, n, err)
	}
	if ms, _, _ := inRunStart(sc, []*realrun.Result{run(2150), run(2400)}, 1, shell); ms != 262.5 {
		t.Errorf("two cold starts: %v ms, want their mean 262.5", ms)
	}
	if ms, n, _ := inRunStart(sc, []*realrun.Result{run(2010)}, 1, shell); ms != 0 || n != 1 {
		t.Errorf("a first instance sooner than the model's: %v ms from %d, want 0 from 1", ms, n)
	}
	if _, n, _ := inRunStart(sc, nil, 1, shell); n != 0 {
		t.Errorf("no runs: %d cold starts", n)
	}
	// On waiter-sim marathon: the mean of the default launch latency
	// (lognormal, median 2 s, sigma 0.3: 2.092 s), the process start (5 ms),
	// the start-up, half a fast poll (100 ms) and the poll's answer (50 ms).
	if got, want := modelStart(sc, "marathon", 5*time.Millisecond)(2*time.Second), 4247*time.Millisecond; got != want {
		t.Errorf("marathon's model start %v, want %v", got, want)
	}
	if modelStart(sc, "kubernetes", 0) != nil {
		t.Error("kubernetes is not run for real by fidelity")
	}
}

// The ensemble spans the real runs' scaling-pass lateness, from the
// least first quartile to the greatest median or third quartile, each
// member simulated with its own interval; with runs late alike
// throughout (or none), there is none.
func TestConditionsEnsemble(t *testing.T) {
	sc, err := scenario.Parse("t", []byte("name: t\nduration: 30s\nservices:\n  - name: a\n    startup: 1s\n    load: {kind: constant, rate: 2}\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep := &fidelity.Report{Calibration: fidelity.Calibration{PassLateRuns: []float64{2, 0.6}, PassLateLoMS: 0.4, PassLateHiMS: 1.8}}
	members, err := conditionsEnsemble(sc, sim.Options{}, time.Second, rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != ensembleMembers || len(rep.Ensemble) != ensembleMembers {
		t.Fatalf("%d members, %d recorded; want %d", len(members), len(rep.Ensemble), ensembleMembers)
	}
	if lo, hi := rep.Ensemble[0].PassLateMS, rep.Ensemble[ensembleMembers-1].PassLateMS; lo != 0.4 || hi != 2 {
		t.Errorf("members span %v to %v ms, want 0.4 to 2", lo, hi)
	}
	if len(rep.Fed) != 1 {
		t.Errorf("the report does not say what was judged: %q", rep.Fed)
	}
	one := &fidelity.Report{Calibration: fidelity.Calibration{PassLateRuns: []float64{1.5}, PassLateLoMS: 1, PassLateHiMS: 2}}
	if m, err := conditionsEnsemble(sc, sim.Options{}, time.Second, one); err != nil || len(m) != ensembleMembers || one.Ensemble[0].PassLateMS != 1 {
		t.Errorf("one run late 1 to 2 ms: %d members from %v, %v", len(m), one.Ensemble, err)
	}
	// Cold starts that waited 0 and 2 s beyond the model: the members'
	// creations cost 0 to 2 s, and the later ones count more requests
	// that waited for the first instance (2 a second).
	cold := &fidelity.Report{Calibration: fidelity.Calibration{InRunStarts: 2, InRunStartMS: 1000, InRunStartEachMS: []float64{0, 2000}}}
	m, err := conditionsEnsemble(sc, sim.Options{}, time.Second, cold)
	if err != nil || len(m) != ensembleMembers {
		t.Fatalf("%d members, %v", len(m), err)
	}
	first, last := cold.Ensemble[0], cold.Ensemble[ensembleMembers-1]
	if first.CreateMS != 0 || cold.Ensemble[4].CreateMS != 1000 || last.CreateMS != 2000 {
		t.Errorf("creations cost %v, %v, %v ms; want 0, 1000, 2000", first.CreateMS, cold.Ensemble[4].CreateMS, last.CreateMS)
	}
	if last.ColdStarts < first.ColdStarts+2 {
		t.Errorf("cold-start requests %v with a 2 s costlier creation, %v without", last.ColdStarts, first.ColdStarts)
	}
	for _, runs := range [][]float64{{1.5, 1.5}, {1.5}, nil} {
		rep := &fidelity.Report{Calibration: fidelity.Calibration{PassLateRuns: runs}}
		if m, err := conditionsEnsemble(sc, sim.Options{}, time.Second, rep); err != nil || m != nil || rep.Ensemble != nil {
			t.Errorf("runs %v late: %d members, %v", runs, len(m), err)
		}
	}
}
