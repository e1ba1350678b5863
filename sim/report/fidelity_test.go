package report

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/fidelity"
	"github.com/waiter-go/waiter/sim/scenario"
)

// fidelityFixture compares the run fixture (as a real run) with a
// changed copy (as the simulation).
func fidelityFixture() *fidelity.Report {
	tol := scenario.Fidelity{SampleEvery: 5 * time.Second, Instances: 1, Share: 0.9, Latency: 0.15, ColdStarts: 1}
	real, simd := fixture(), fixture()
	simd.Totals.LatencyMS.P99 *= 1.3
	f := &fidelity.Report{Scenario: real.Scenario, Seed: 1, Scheduler: "shell", SimModel: "shell", Tolerances: tol,
		Calibration: fidelity.Calibration{ProcessStartMS: 5.2, RouterRequestMS: 0.7, KitchenRequestMS: 0.4, InRunRequestMS: 1.1},
		Fed:         []string{"every simulated service time + 1.10 ms"}, Labels: []string{"real #1", "simulated"}}
	f.Against = []fidelity.Comparison{fidelity.Compare("real #1", real, "simulated", simd, tol)}
	f.Checks, f.Passed = fidelity.Judge(simd, []*sim.Report{real}, f.Against, tol)
	return f
}

func TestFidelityMarkdownSaysWhatMissed(t *testing.T) {
	real := fixture()
	md := write(t, func(w io.Writer) error { return WriteFidelityMarkdown(w, fidelityFixture(), []*sim.Report{real, real}) })
	for _, want := range []string{
		"The simulation **misses** the scenario's tolerances.",
		"| p99 latency | within 15 % of real |", "| FAIL |",
		"| requested instances | ≥ 90 % of 5s samples within ±1 | 100.0 % | pass |",
		"| kitchen process start (exec to first answer) | 5.2 ms |",
		"- every simulated service time + 1.10 ms",
		"| simulated | real #1 | 100.0 % | 100.0 % |",
		"| figure | real #1 | simulated |",
		"| cold starts (requests) |", "| cold starts (services) |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("fidelity.md lacks %q:\n%s", want, md)
		}
	}
}
