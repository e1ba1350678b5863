package report

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/waiter-go/waiter/sim"
)

// sweep is a parameter sweep's runs with their place on the cost-p99
// plane.
type sweep struct {
	param  string
	values []string
	reps   []*sim.Report
	pts    []point
	front  []bool
}

func newSweep(param string, values []string, reps []*sim.Report) (*sweep, error) {
	if len(values) != len(reps) {
		return nil, fmt.Errorf("report: sweep of %s: %d values but %d runs", param, len(values), len(reps))
	}
	if err := checkSameScenario(reps); err != nil {
		return nil, err
	}
	s := &sweep{param: param, values: values, reps: reps}
	for _, r := range reps {
		s.pts = append(s.pts, point{Cost: instanceHours(r.Totals.InstanceSeconds), P99: r.Totals.LatencyMS.P99})
	}
	s.front = paretoFront(s.pts)
	return s, nil
}

// marks are the one-character names of the runs in the text scatter.
const marks = "123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

func mark(i int) string {
	if i < len(marks) {
		return marks[i : i+1]
	}
	return "+"
}

var sweepColumns = []string{"#", "value", "instance-hours", "p99", "p50", "rejected", "cold starts",
	"peak instances", "Pareto front"}

// rows returns the runs' table rows in the order of the values.
func (s *sweep) rows() [][]string {
	out := make([][]string, len(s.reps))
	for i, r := range s.reps {
		f := ""
		if s.front[i] {
			f = "yes"
		}
		out[i] = []string{mark(i), s.values[i], fmtNum(s.pts[i].Cost), fmtMS(r.Totals.LatencyMS.P99),
			fmtMS(r.Totals.LatencyMS.P50), fmtInt(r.Totals.Rejected), fmtInt(r.Totals.ColdStarts),
			fmtInt(int64(r.Totals.PeakInstances)), f}
	}
	return out
}

// frontLines lists the front from cheapest to fastest.
func (s *sweep) frontLines() []string {
	var idx []int
	for i, f := range s.front {
		if f {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.pts[idx[a]].Cost < s.pts[idx[b]].Cost })
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = fmt.Sprintf("%s=%s: %s instance-hours, p99 %s", s.param, s.values[i],
			fmtNum(s.pts[i].Cost), fmtMS(s.pts[i].P99))
	}
	return out
}

// plot draws the runs on the cost-latency plane, each labelled with its
// mark (the # of the table) and value, the Pareto front joined by a line.
// uPlot needs x in ascending order, so the points go by cost.
func (s *sweep) plot() plot {
	order := make([]int, len(s.pts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		pa, pb := s.pts[order[a]], s.pts[order[b]]
		if pa.Cost != pb.Cost {
			return pa.Cost < pb.Cost
		}
		return pa.P99 < pb.P99
	})
	var xs, runs, front nums
	var labels []string
	lo, hi := math.Inf(1), 0.0
	for _, i := range order {
		p := s.pts[i]
		xs, runs = append(xs, p.Cost), append(runs, p.P99)
		f := gap
		if s.front[i] {
			f = p.P99
		}
		front = append(front, f)
		labels = append(labels, mark(i)+": "+s.param+"="+s.values[i])
		lo, hi = min(lo, p.P99), max(hi, p.P99)
	}
	// A log axis when the runs' p99s span more than a decade and a half;
	// a linear one shows small differences better.
	logY := lo > 0 && hi/lo > 30
	label := "p99 latency (ms)"
	if logY {
		label = "p99 latency (ms, log scale)"
	}
	return plot{ID: "sweep", Title: "Cost against p99 latency", X: xAxis{Label: "instance-hours", Values: xs},
		Y: yAxis{Label: label, Unit: "ms", Log: logY},
		// The front's dots lie under the runs' rings: every run shows,
		// on the front or not.
		Series: []series{
			{Label: "Pareto front", Color: palette[1], Width: 2, Points: true, PointSize: 7, Line: true, SpanGaps: true, Values: front},
			{Label: "runs", Color: palette[0], Width: 2, Points: true, PointSize: 14, Hollow: true, Values: runs},
		},
		PointLabels: labels,
		Caption: "Each dot is one run, labelled with its # in the table and its value; the line joins the " +
			"Pareto front, the runs no other run beats on both cost and p99 latency."}
}

// WriteSweepMarkdown writes a parameter sweep: one row per value with its
// cost (instance-hours) and latency, a text scatter of cost against p99
// latency, and the Pareto front (the values no other value beats on both).
func WriteSweepMarkdown(w io.Writer, param string, values []string, reps []*sim.Report) error {
	s, err := newSweep(param, values, reps)
	if err != nil {
		return err
	}
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# Sweep of %s on %s\n\n", mdCode(param), mdCode(reps[0].Scenario))
	mdQuote(ew, reps[0].Description)
	fmt.Fprintf(ew, "%d values, policy **%s**, seed %s, %s of simulated time. Chart: [sweep.html](sweep.html).\n\n",
		len(values), reps[0].Policy, seeds(reps), fmtClock(reps[0].DurationS))
	fmt.Fprintln(ew, "## Runs")
	fmt.Fprintln(ew)
	mdTable(ew, sweepHeader(param), s.rows())
	fmt.Fprintln(ew, "## Pareto front")
	fmt.Fprintln(ew)
	fmt.Fprintln(ew, "No other value is both cheaper and faster than these:")
	fmt.Fprintln(ew)
	for _, l := range s.frontLines() {
		fmt.Fprintf(ew, "- %s\n", l)
	}
	fmt.Fprintln(ew)
	fmt.Fprintln(ew, "## Cost against p99 latency")
	fmt.Fprintln(ew)
	fmt.Fprintln(ew, "Each run is marked by its # in the table.")
	fmt.Fprintln(ew)
	writeTextScatter(ew, s)
	if ew.err != nil {
		return fmt.Errorf("report: write sweep Markdown: %w", ew.err)
	}
	return nil
}

func sweepHeader(param string) []string {
	h := append([]string(nil), sweepColumns...)
	h[1] = param
	return h
}

// Text scatter size, in characters.
const (
	scatterCols = 60
	scatterRows = 15
)

// writeTextScatter draws the runs on a character grid, each marked by its
// row mark, in a code block.
func writeTextScatter(w io.Writer, s *sweep) {
	xs, ys := make([]float64, len(s.pts)), make([]float64, len(s.pts))
	for i, p := range s.pts {
		xs[i], ys[i] = p.Cost, p.P99
	}
	xlo, xhi := padded(xs)
	ylo, yhi := padded(ys)
	grid := make([][]byte, scatterRows)
	for r := range grid {
		grid[r] = []byte(strings.Repeat(" ", scatterCols))
	}
	for i, p := range s.pts {
		c := int((p.Cost - xlo) / (xhi - xlo) * (scatterCols - 1))
		r := scatterRows - 1 - int((p.P99-ylo)/(yhi-ylo)*(scatterRows-1))
		c, r = min(max(c, 0), scatterCols-1), min(max(r, 0), scatterRows-1)
		if grid[r][c] == ' ' {
			grid[r][c] = mark(i)[0]
		} else {
			grid[r][c] = '*' // several runs in one cell
		}
	}
	top, bottom := tickLabel(yhi, niceStep(yhi-ylo)/10), tickLabel(ylo, niceStep(yhi-ylo)/10)
	lw := max(len(top), len(bottom))
	fmt.Fprintln(w, "```")
	fmt.Fprintln(w, "p99 latency (ms)")
	for r, row := range grid {
		label := ""
		switch r {
		case 0:
			label = top
		case scatterRows - 1:
			label = bottom
		}
		fmt.Fprintf(w, "%*s |%s\n", lw, label, strings.TrimRight(string(row), " "))
	}
	fmt.Fprintf(w, "%*s +%s\n", lw, "", strings.Repeat("-", scatterCols))
	left, right := tickLabel(xlo, niceStep(xhi-xlo)/10), tickLabel(xhi, niceStep(xhi-xlo)/10)
	space := max(scatterCols-len(left)-len(right), 1)
	fmt.Fprintf(w, "%*s  %s%s%s  instance-hours\n", lw, "", left, strings.Repeat(" ", space), right)
	fmt.Fprintln(w, "```")
}

// sweepPage is the data of sweep.html.
type sweepPage struct {
	page
	Param  string
	Policy string
	Seed   string
	Front  []string
	Table  table
}

// WriteSweepHTML writes the sweep as one self-contained page: the scatter
// of cost against p99 latency with the Pareto front joined and
// highlighted, the front listed, and the table of runs.
func WriteSweepHTML(w io.Writer, param string, values []string, reps []*sim.Report) error {
	s, err := newSweep(param, values, reps)
	if err != nil {
		return err
	}
	pg, err := newPage("Sweep of "+param+" on "+reps[0].Scenario, reps[0].Description, reps[0].DurationS,
		[]plot{s.plot()}, nil)
	if err != nil {
		return err
	}
	t := table{Header: sweepHeader(param), Rows: s.rows()}
	for _, f := range s.front {
		c := ""
		if f {
			c = "front"
		}
		t.RowClass = append(t.RowClass, c)
	}
	p := sweepPage{page: pg, Param: param, Policy: reps[0].Policy, Seed: seeds(reps), Front: s.frontLines(), Table: t}
	return renderPage(w, "sweep", p)
}

// padded returns the bounds of vs widened by 5% each side (never below
// zero) so no point sits on an axis.
func padded(vs []float64) (lo, hi float64) {
	lo, hi = vs[0], vs[0]
	for _, v := range vs {
		lo, hi = min(lo, v), max(hi, v)
	}
	pad := (hi - lo) * 0.05
	if pad == 0 {
		pad = max(hi*0.05, 1)
	}
	return max(lo-pad, 0), hi + pad
}
