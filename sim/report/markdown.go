package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/waiter-go/waiter/sim"
)

// WriteMarkdown writes a readable summary of one run: what the scenario
// is, the totals, latency percentiles, text sparklines of the time
// series, the busiest services and the assertions. It links to
// report.html, written next to it, for the full charts.
func WriteMarkdown(w io.Writer, rep *sim.Report) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# Scenario %s\n\n", mdCode(rep.Scenario))
	mdQuote(ew, rep.Description)
	fmt.Fprintf(ew, "Policy **%s**, seed %d, %s of simulated time. Assertions: **%s**. Charts: [report.html](report.html).\n\n",
		rep.Policy, rep.Seed, fmtClock(rep.DurationS), fmtAssertions(rep))

	fmt.Fprintln(ew, "## Totals")
	fmt.Fprintln(ew)
	mdTable(ew, []string{"figure", "value"}, metricRows(totalsMetrics, rep))

	fmt.Fprintln(ew, "## Latency")
	fmt.Fprintln(ew)
	mdTable(ew, []string{"percentile", "latency"}, metricRows(latencyMetrics, rep))

	if len(rep.Series.TimeS) > 0 {
		fmt.Fprintln(ew, "## Over time")
		fmt.Fprintln(ew)
		fmt.Fprintf(ew, "Peaks per column of the %s-wide intervals; the HTML report has the full charts.\n\n",
			fmtClock(rep.Series.IntervalS))
		writeSparkBlock(ew, rep.DurationS, runSparkRows(rep))
		fmt.Fprintln(ew)
	}

	writeWindowsMD(ew, rep.Windows)
	writeRoutersMD(ew, rep)
	writeServicesMD(ew, rep)
	writeAssertionsMD(ew, rep)
	if ew.err != nil {
		return fmt.Errorf("report: write Markdown: %w", ew.err)
	}
	return nil
}

// runSparkRows are the series the Markdown report draws, the same as the
// HTML charts.
func runSparkRows(rep *sim.Report) []sparkRow {
	s := rep.Series
	return []sparkRow{
		{"arrivals/s", perSecond(s.Arrivals, s.IntervalS), ""},
		{"outstanding", s.Outstanding, ""},
		{"desired instances", s.Desired, ""},
		{"requested instances", s.Requested, ""},
		{"healthy instances", s.Healthy, ""},
		{"latency p50", s.P50MS, " ms"},
		{"latency p99", s.P99MS, " ms"},
		{"queued", s.Queued, ""},
		{"rejected/s", perSecond(s.Rejected, s.IntervalS), ""},
	}
}

// writeWindowsMD lists the scenario's faults and load changes, which the
// HTML charts shade.
func writeWindowsMD(w io.Writer, ws []sim.Window) {
	if len(ws) == 0 {
		return
	}
	fmt.Fprintln(w, "## Faults and load changes")
	fmt.Fprintln(w)
	for _, win := range ws {
		when := fmtClock(win.StartS)
		if win.EndS > win.StartS {
			when += " to " + fmtClock(win.EndS)
		}
		what := win.Label
		if win.Service != "" {
			what += " (" + win.Service + ")"
		}
		fmt.Fprintf(w, "- %s: %s\n", when, what)
	}
	fmt.Fprintln(w)
}

func writeServicesMD(w io.Writer, rep *sim.Report) {
	if len(rep.Services) == 0 {
		return
	}
	top, omitted := topServices(rep, maxServices)
	fmt.Fprintln(w, "## Services")
	fmt.Fprintln(w)
	if omitted > 0 {
		fmt.Fprintf(w, "The %d services with the most requests; %d more are omitted (report.json has them all).\n\n",
			len(top), omitted)
	}
	rows := make([][]string, len(top))
	for i, s := range top {
		rows[i] = serviceRow(s)
	}
	mdTable(w, serviceColumns, rows)
}

func writeAssertionsMD(w io.Writer, rep *sim.Report) {
	fmt.Fprintln(w, "## Assertions")
	fmt.Fprintln(w)
	if len(rep.Assertions) == 0 {
		fmt.Fprintln(w, "The scenario asserts nothing.")
		return
	}
	rows := make([][]string, len(rep.Assertions))
	for i, a := range rep.Assertions {
		rows[i] = assertionRow(a)
		rows[i][4] = mdOutcome(a.Passed)
	}
	mdTable(w, assertionColumns, rows)
}

// mdOutcome marks an outcome so a failure stands out in a rendered page.
func mdOutcome(ok bool) string {
	if ok {
		return "✅ pass"
	}
	return "❌ **FAIL**"
}

// mdCode quotes s as inline code (a scenario or parameter name).
func mdCode(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }
