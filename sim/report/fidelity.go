package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/fidelity"
)

// WriteFidelityJSON writes a fidelity report as indented JSON.
func WriteFidelityJSON(w io.Writer, f *fidelity.Report) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("report: encode fidelity JSON: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("report: write fidelity JSON: %w", err)
	}
	return nil
}

func fidelityMeta(f *fidelity.Report) string {
	return fmt.Sprintf("Seed %d; real runs on waiter serve with the %s scheduler and kitchen, simulated with the %s scheduler's cadence; %s of wall time.",
		f.Seed, f.Scheduler, f.SimModel, fmtClock(f.WallS))
}

func fidelityChecks(f *fidelity.Report) table {
	t := table{Header: []string{"figure", "tolerance", "value", "outcome"}}
	for _, c := range f.Checks {
		t.Rows = append(t.Rows, []string{c.What, c.Bound, c.Value, passFail(c.Passed)})
	}
	return t
}

func calibrationTable(f *fidelity.Report) table {
	c := f.Calibration
	t := table{Header: []string{"measured on this machine", "median"}, Rows: [][]string{
		{"kitchen process start (exec to first answer)", fmtMS(c.ProcessStartMS)},
		{"a request of no work through the router", fmtMS(c.RouterRequestMS)},
		{"the same request straight to kitchen", fmtMS(c.KitchenRequestMS)},
		{"the real runs' requests beyond their service time", fmtMS(c.InRunRequestMS)},
	}}
	if c.InRunStarts > 0 {
		t.Rows = append(t.Rows, []string{fmt.Sprintf("the real runs' first instances beyond the model's launch, start-up and health cadence (%d cold starts)", c.InRunStarts), fmtMS(c.InRunStartMS)})
	}
	if len(c.PassLateRuns) > 0 {
		runs := make([]string, len(c.PassLateRuns))
		for i, v := range c.PassLateRuns {
			runs[i] = fmtMS(v)
		}
		t.Rows = append(t.Rows, []string{fmt.Sprintf("the real router's scaling passes beyond one interval after the previous (runs: %s)", strings.Join(runs, ", ")), fmtMS(c.PassLateMS)})
	}
	return t
}

func comparisonTable(cs []fidelity.Comparison) table {
	t := table{Header: []string{"run", "against", "requested within", "healthy within", "requested RMS", "healthy RMS",
		"p50", "p90", "p99", "cold starts (requests)", "cold starts (services)", "instance-seconds", "kills"}}
	for _, c := range cs {
		t.Rows = append(t.Rows, []string{c.B, c.A,
			fmt.Sprintf("%.1f %%", c.RequestedWithin*100), fmt.Sprintf("%.1f %%", c.HealthyWithin*100),
			fmt.Sprintf("%.2f", c.RequestedRMS), fmt.Sprintf("%.2f", c.HealthyRMS),
			fmtRel(c.P50), fmtRel(c.P90), fmtRel(c.P99),
			fmt.Sprintf("%+d", c.ColdStarts), fmt.Sprintf("%+d", c.ColdStartServices), fmtRel(c.InstS), fmt.Sprintf("%+d", c.Kills)})
	}
	return t
}

func fmtRel(r float64) string {
	if math.IsInf(r, 0) {
		return "up from 0"
	}
	return fmt.Sprintf("%+.1f %%", r*100)
}

// fidelityMetrics are the totals a fidelity report lines up.
var fidelityMetrics = []metric{mRequests, mCompleted, mRejected, mErrors, mColdStarts, mColdSvcs,
	latency(mP50), latency(mP90), latency(mP99), latency(mMax), mInstHours, mPeak, mKills}

// WriteFidelityMarkdown writes a fidelity report: the checks, the
// calibration, the comparisons and the totals side by side, and text
// charts of the instance curves.
func WriteFidelityMarkdown(w io.Writer, f *fidelity.Report, reps []*sim.Report) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# Fidelity of %s\n\n", mdCode(f.Scenario))
	mdQuote(ew, f.Description)
	fmt.Fprintf(ew, "%s Charts: [fidelity.html](fidelity.html).\n\n", fidelityMeta(f))
	verdict := "meets"
	if !f.Passed {
		verdict = "misses"
	}
	for _, l := range f.Redone {
		fmt.Fprintf(ew, "Note: %s.\n\n", l)
	}
	fmt.Fprintf(ew, "The simulation **%s** the scenario's tolerances.\n\n## Checks\n\n", verdict)
	ct := fidelityChecks(f)
	mdTable(ew, ct.Header, ct.Rows)
	fmt.Fprint(ew, "## Calibration\n\n")
	cal := calibrationTable(f)
	mdTable(ew, cal.Header, cal.Rows)
	for _, l := range f.Fed {
		fmt.Fprintf(ew, "- %s\n", l)
	}
	fmt.Fprintf(ew, "\n## Simulated against real\n\nSamples every %v; relative differences are (simulated − real) / real.\n\n", f.Tolerances.SampleEvery)
	at := comparisonTable(f.Against)
	mdTable(ew, at.Header, at.Rows)
	if len(f.Noise) > 0 {
		fmt.Fprint(ew, "## Real against real (noise)\n\n")
		nt := comparisonTable(f.Noise)
		mdTable(ew, nt.Header, nt.Rows)
	}
	fmt.Fprint(ew, "## Totals\n\nCold starts (requests): requests that waited for their service's first healthy instance; cold starts (services): times a service went from no healthy instance to one.\n\n")
	mdTable(ew, append([]string{"figure"}, f.Labels...), metricRows(fidelityMetrics, reps...))
	var rows []sparkRow
	for i, r := range reps {
		rows = append(rows, sparkRow{"requested " + f.Labels[i], r.Series.Requested, ""})
	}
	for i, r := range reps {
		rows = append(rows, sparkRow{"healthy " + f.Labels[i], r.Series.Healthy, ""})
	}
	if len(reps) > 0 && len(reps[0].Series.TimeS) > 0 {
		fmt.Fprint(ew, "## Over time\n\n")
		writeSparkBlock(ew, reps[0].DurationS, rows)
		fmt.Fprintln(ew)
	}
	if ew.err != nil {
		return fmt.Errorf("report: write fidelity Markdown: %w", ew.err)
	}
	return nil
}

// fidelityPage is the data of fidelity.html.
type fidelityPage struct {
	page
	Meta        string
	Passed      bool
	Every       string
	Checks      table
	Calibration table
	Fed         []string
	Against     table
	Noise       *table
	Totals      table
}

// WriteFidelityHTML writes a fidelity report as one self-contained page,
// with the real and simulated instance curves, latency and queue overlaid.
func WriteFidelityHTML(w io.Writer, f *fidelity.Report, reps []*sim.Report) error {
	if len(reps) == 0 {
		return fmt.Errorf("report: a fidelity report needs runs")
	}
	pg, err := newPage("Fidelity of "+f.Scenario, f.Description, reps[0].DurationS,
		overlayPlots(reps, f.Labels, "run"), reps[0].Windows)
	if err != nil {
		return err
	}
	p := fidelityPage{page: pg, Meta: fidelityMeta(f), Passed: f.Passed, Every: f.Tolerances.SampleEvery.String(),
		Checks: fidelityChecks(f), Calibration: calibrationTable(f), Fed: f.Fed, Against: comparisonTable(f.Against),
		Totals: table{Header: append([]string{"figure"}, f.Labels...), Rows: metricRows(fidelityMetrics, reps...)}}
	if len(f.Noise) > 0 {
		nt := comparisonTable(f.Noise)
		p.Noise = &nt
	}
	return renderPage(w, "fidelity", p)
}

// WriteFidelitySummary writes the checks for a terminal.
func WriteFidelitySummary(w io.Writer, f *fidelity.Report) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "fidelity of %s: %s\n", f.Scenario, fidelityMeta(f))
	rows := [][]string{{"check", "tolerance", "value", ""}}
	for _, c := range f.Checks {
		rows = append(rows, []string{c.What, c.Bound, c.Value, passFail(c.Passed)})
	}
	textTable(ew, rows)
	for _, c := range f.Noise {
		fmt.Fprintf(ew, "noise %s vs %s: requested within %.0f %%, healthy within %.0f %%, p50 %s, p99 %s, cold starts %+d requests %+d services\n",
			c.B, c.A, c.RequestedWithin*100, c.HealthyWithin*100, fmtRel(c.P50), fmtRel(c.P99), c.ColdStarts, c.ColdStartServices)
	}
	if ew.err != nil {
		return fmt.Errorf("report: write fidelity summary: %w", ew.err)
	}
	return nil
}
