package report

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/waiter-go/waiter/sim"
)

// checkSameScenario returns an error unless reps are at least one run,
// all of the same scenario: a comparison of different loads means nothing.
func checkSameScenario(reps []*sim.Report) error {
	if len(reps) == 0 {
		return errors.New("report: no runs to compare")
	}
	for _, r := range reps[1:] {
		if r.Scenario != reps[0].Scenario {
			return fmt.Errorf("report: runs of different scenarios (%q and %q)", reps[0].Scenario, r.Scenario)
		}
	}
	return nil
}

// policyLabels names each run by its policy, numbering repeats.
func policyLabels(reps []*sim.Report) []string {
	seen := map[string]int{}
	out := make([]string, len(reps))
	for i, r := range reps {
		seen[r.Policy]++
		out[i] = r.Policy
		if n := seen[r.Policy]; n > 1 {
			out[i] = fmt.Sprintf("%s #%d", r.Policy, n)
		}
	}
	return out
}

// seeds lists the runs' seeds ("1", or "1, 2" if they differ).
func seeds(reps []*sim.Report) string {
	var out []string
	for _, r := range reps {
		s := fmt.Sprint(r.Seed)
		if len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

// compareAssertions lines up the first run's assertions with the others'
// (same scenario, so the same list): one row per assertion, one
// "value pass|FAIL" cell per run.
func compareAssertions(reps []*sim.Report) (header []string, rows [][]string) {
	header = append([]string{"metric", "service", "bound"}, policyLabels(reps)...)
	for i, a := range reps[0].Assertions {
		row := assertionRow(a)[:3]
		for _, r := range reps {
			cell := "-"
			if i < len(r.Assertions) {
				cell = fmtNum(r.Assertions[i].Value) + " " + passFail(r.Assertions[i].Passed)
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return header, rows
}

// compareFigures overlays the runs: instances, p99 latency and queue
// length, one colour per policy.
func compareFigures(reps []*sim.Report) ([]figure, error) {
	labels := policyLabels(reps)
	var inst, p99, queue []line
	for i, r := range reps {
		col := palette[i%len(palette)]
		inst = append(inst,
			line{Name: labels[i] + " healthy", Ys: r.Series.Healthy, Color: col},
			line{Name: labels[i] + " requested", Ys: r.Series.Requested, Color: col, Dashed: true})
		p99 = append(p99, line{Name: labels[i], Ys: r.Series.P99MS, Color: col})
		queue = append(queue, line{Name: labels[i], Ys: r.Series.Queued, Color: col})
	}
	charts := []struct {
		c       lineChart
		caption string
	}{
		{lineChart{Title: "Instances", Left: "instances", Lines: inst},
			"Healthy instances (solid) and the instances each policy asked for (dashed)."},
		{lineChart{Title: "p99 latency", Left: "milliseconds", Lines: p99},
			"p99 latency of the requests completed in each interval."},
		{lineChart{Title: "Queue", Left: "requests", Lines: queue},
			"Requests waiting for a free instance slot (the most in each interval)."},
	}
	var out []figure
	for _, c := range charts {
		c.c.Xs, c.c.EndS = reps[0].Series.TimeS, reps[0].DurationS
		svg, err := c.c.svg()
		if err != nil {
			return nil, err
		}
		out = append(out, figure{Title: c.c.Title, SVG: svg, Caption: c.caption})
	}
	return out, nil
}

// WriteCompareMarkdown writes runs of one scenario under different
// policies side by side: a table of their totals, text sparklines of
// instances and p99 latency per policy, and the assertions per policy.
func WriteCompareMarkdown(w io.Writer, reps []*sim.Report) error {
	if err := checkSameScenario(reps); err != nil {
		return err
	}
	labels := policyLabels(reps)
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# Policies compared on %s\n\n", mdCode(reps[0].Scenario))
	mdQuote(ew, reps[0].Description)
	fmt.Fprintf(ew, "Policies %s on the same load, seed %s, %s of simulated time. Charts: [compare.html](compare.html).\n\n",
		strings.Join(labels, ", "), seeds(reps), fmtClock(reps[0].DurationS))
	fmt.Fprintln(ew, "## Totals")
	fmt.Fprintln(ew)
	mdTable(ew, append([]string{"figure"}, labels...), metricRows(summaryMetrics, reps...))

	var rows []sparkRow
	for i, r := range reps {
		rows = append(rows, sparkRow{"healthy " + labels[i], r.Series.Healthy, ""})
	}
	for i, r := range reps {
		rows = append(rows, sparkRow{"p99 " + labels[i], r.Series.P99MS, " ms"})
	}
	if len(reps[0].Series.TimeS) > 0 {
		fmt.Fprintln(ew, "## Over time")
		fmt.Fprintln(ew)
		writeSparkBlock(ew, reps[0].DurationS, rows)
		fmt.Fprintln(ew)
	}
	if len(reps[0].Assertions) > 0 {
		fmt.Fprintln(ew, "## Assertions")
		fmt.Fprintln(ew)
		h, rows := compareAssertions(reps)
		mdTable(ew, h, rows)
	}
	if ew.err != nil {
		return fmt.Errorf("report: write comparison Markdown: %w", ew.err)
	}
	return nil
}

// comparePage is the data of compare.html.
type comparePage struct {
	page
	Policies string
	Seed     string
	Totals   table
	Checks   *table
}

// WriteCompareHTML writes the comparison as one self-contained page with
// overlaid charts of instances, p99 latency and queue length per policy.
func WriteCompareHTML(w io.Writer, reps []*sim.Report) error {
	if err := checkSameScenario(reps); err != nil {
		return err
	}
	figs, err := compareFigures(reps)
	if err != nil {
		return err
	}
	labels := policyLabels(reps)
	p := comparePage{
		page: page{Title: "Policies compared on " + reps[0].Scenario, Description: strings.TrimSpace(reps[0].Description),
			CSS: css, Duration: fmtClock(reps[0].DurationS), Figures: htmlFigures(figs)},
		Policies: strings.Join(labels, ", "),
		Seed:     seeds(reps),
		Totals:   table{Header: append([]string{"figure"}, labels...), Rows: metricRows(summaryMetrics, reps...)},
	}
	if len(reps[0].Assertions) > 0 {
		h, rows := compareAssertions(reps)
		p.Checks = &table{Header: h, Rows: rows}
	}
	return renderPage(w, "compare", p)
}
