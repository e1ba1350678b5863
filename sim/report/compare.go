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

// comparePlots overlays the runs on the first run's time axis:
// instances, p99 latency and queue length, one colour per policy. A later
// policy's lines are drawn thinner on top of an earlier one's, so where
// two policies agree both stay visible, and the legend says when a series
// is the same as another.
func comparePlots(reps []*sim.Report) []plot {
	return overlayPlots(reps, policyLabels(reps), "policy")
}

// overlayPlots overlays runs named by labels (what says what a run is:
// a policy, a real or simulated run).
func overlayPlots(reps []*sim.Report, labels []string, what string) []plot {
	base := reps[0]
	n := len(base.Series.TimeS)
	x := xAxis{Time: true, Label: "time", Values: base.Series.TimeS}
	windows := windowBands(base.Windows)
	var inst, p99, queue []series
	var panics []band
	for i, r := range reps {
		col, w := palette[i%len(palette)], overlayWidth(i, len(reps))
		healthy := line(labels[i]+" healthy", fitTo(r.Series.Healthy, n), col, nil)
		requested := line(labels[i]+" requested", fitTo(r.Series.Requested, n), col, dashed)
		lat := line(labels[i], latencyValues(r.Series.P99MS, r.Series.Completed, n), col, nil)
		q := line(labels[i], fitTo(r.Series.Queued, n), col, nil)
		healthy.Width, requested.Width, lat.Width, q.Width = w, w, w, w
		inst, p99, queue = append(inst, healthy, requested), append(p99, lat), append(queue, q)
		panics = append(panics, panicBands(r.Series, labels[i]+" panic mode", col)...)
	}
	markSame(inst)
	markSame(p99)
	markSame(queue)
	maxInst := 0
	for _, r := range reps {
		maxInst = max(maxInst, r.MaxInstances)
	}
	ip := plot{ID: "instances", Title: "Instances", X: x, Y: yAxis{Label: "instances", Unit: "instances"}, Series: inst,
		Bands: append(panics, windows...),
		Caption: "Healthy instances (solid) and the instances each " + what + " asked for (dashed); shaded in a " +
			what + "'s colour, its panic mode."}
	ip.placeRefs(instanceRefs(maxInst, len(base.Services), nil))
	lp := plot{ID: "latency", Title: "p99 latency", X: x, Y: yAxis{Label: "p99 latency (ms, log scale)", Unit: "ms", Log: true},
		Series: p99, Bands: windows,
		Caption: "p99 latency of the requests completed in each interval, on a log axis; gaps are intervals in which nothing completed."}
	lp.placeRefs(latencyRefs(base.Assertions, "p99"))
	qp := plot{ID: "queue", Title: "Queue", X: x, Y: yAxis{Label: "requests", Unit: "requests"}, Series: queue, Bands: windows,
		Caption: "Requests waiting for a free instance slot (the most in each interval)."}
	return []plot{ip, lp, qp}
}

// overlayWidth is the line width of run i of n overlaid runs: the first
// widest, each next one narrower, the last 2 pixels.
func overlayWidth(i, n int) float64 { return 2 + 1.5*float64(n-1-i) }

// markSame appends "(same as X)" to the label of each series whose values
// equal an earlier series' values, which it would otherwise hide.
func markSame(ss []series) {
	for i := range ss {
		for j := 0; j < i; j++ {
			if sameValues(ss[i].Values, ss[j].Values) {
				ss[i].Label += " (same as " + ss[j].Label + ")"
				break
			}
		}
	}
}

func sameValues(a, b nums) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && (finite(a[i]) || finite(b[i])) {
			return false
		}
	}
	return true
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
	if len(reps) > 1 {
		for _, l := range deltaHeadlines(reps) {
			fmt.Fprintf(ew, "- %s\n", l)
		}
		fmt.Fprintln(ew)
	}
	fmt.Fprintln(ew, "## Totals")
	fmt.Fprintln(ew)
	mdTable(ew, append([]string{"figure"}, labels...), metricRows(summaryMetrics, reps...))
	if len(reps) > 1 {
		fmt.Fprintln(ew, "## Change")
		fmt.Fprintln(ew)
		fmt.Fprintf(ew, "Each policy against %s, in percent (less is better for all of these).\n\n", labels[0])
		h, rows := deltaTable(reps)
		mdTable(ew, h, rows)
	}

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
	Policies  string
	Seed      string
	Headlines []string
	Totals    table
	Deltas    *table
	Checks    *table
}

// WriteCompareHTML writes the comparison as one self-contained page: each
// later policy's change against the first, the totals, and overlaid
// charts of instances, p99 latency and queue length per policy.
func WriteCompareHTML(w io.Writer, reps []*sim.Report) error {
	if err := checkSameScenario(reps); err != nil {
		return err
	}
	labels := policyLabels(reps)
	pg, err := newPage("Policies compared on "+reps[0].Scenario, reps[0].Description, reps[0].DurationS,
		comparePlots(reps), reps[0].Windows)
	if err != nil {
		return err
	}
	p := comparePage{
		page:     pg,
		Policies: strings.Join(labels, ", "),
		Seed:     seeds(reps),
		Totals:   table{Header: append([]string{"figure"}, labels...), Rows: metricRows(summaryMetrics, reps...)},
	}
	if len(reps) > 1 {
		h, rows := deltaTable(reps)
		p.Deltas, p.Headlines = &table{Header: h, Rows: rows}, deltaHeadlines(reps)
	}
	if len(reps[0].Assertions) > 0 {
		h, rows := compareAssertions(reps)
		p.Checks = &table{Header: h, Rows: rows}
	}
	return renderPage(w, "compare", p)
}
