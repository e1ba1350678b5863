package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/waiter-go/waiter/sim"
)

// WriteSummary writes the terminal summary of one run: the figures a
// policy change moves, then each failed assertion.
func WriteSummary(w io.Writer, rep *sim.Report) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "scenario %s, policy %s, seed %d, %s simulated\n", rep.Scenario, rep.Policy, rep.Seed,
		fmtClock(rep.DurationS))
	textTable(ew, metricRows(summaryMetrics, rep))
	writeFailures(ew, rep)
	if ew.err != nil {
		return fmt.Errorf("report: write summary: %w", ew.err)
	}
	return nil
}

// writeFailures lists the assertions a run failed.
func writeFailures(w io.Writer, rep *sim.Report) {
	for _, a := range rep.Assertions {
		if !a.Passed {
			r := assertionRow(a)
			fmt.Fprintf(w, "FAIL %s (%s): %s, want %s\n", r[0], r[1], r[3], r[2])
		}
	}
}

// WriteCompareSummary writes the comparison table for a terminal: one
// column per policy.
func WriteCompareSummary(w io.Writer, reps []*sim.Report) error {
	if err := checkSameScenario(reps); err != nil {
		return err
	}
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "scenario %s, seed %s, %s simulated\n", reps[0].Scenario, seeds(reps), fmtClock(reps[0].DurationS))
	header := append([]string{""}, policyLabels(reps)...)
	textTable(ew, append([][]string{header}, metricRows(summaryMetrics, reps...)...))
	for _, l := range deltaHeadlines(reps) {
		fmt.Fprintln(ew, l)
	}
	if ew.err != nil {
		return fmt.Errorf("report: write comparison summary: %w", ew.err)
	}
	return nil
}

// WriteSweepSummary writes the sweep table for a terminal, the Pareto
// front marked.
func WriteSweepSummary(w io.Writer, param string, values []string, reps []*sim.Report) error {
	s, err := newSweep(param, values, reps)
	if err != nil {
		return err
	}
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "scenario %s, policy %s, seed %s, %s simulated\n", reps[0].Scenario, reps[0].Policy,
		seeds(reps), fmtClock(reps[0].DurationS))
	rows := [][]string{sweepHeader(param)[1:]}
	for _, r := range s.rows() {
		rows = append(rows, r[1:])
	}
	textTable(ew, rows)
	if ew.err != nil {
		return fmt.Errorf("report: write sweep summary: %w", ew.err)
	}
	return nil
}

// textTable writes rows as aligned columns for a terminal: the first
// column (the labels) left-aligned, the figures right-aligned.
func textTable(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
