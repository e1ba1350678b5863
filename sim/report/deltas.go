package report

import (
	"math"
	"strconv"
	"strings"

	"github.com/waiter-go/waiter/sim"
)

// deltaMetric is a figure of a run where less is better (cost, latency,
// refusals, failures), compared between runs as a change in percent.
type deltaMetric struct {
	Label string
	Value func(r *sim.Report) float64
}

var deltaMetrics = []deltaMetric{
	{"instance-hours", func(r *sim.Report) float64 { return instanceHours(r.Totals.InstanceSeconds) }},
	{"peak instances", func(r *sim.Report) float64 { return float64(r.Totals.PeakInstances) }},
	{"latency p50", func(r *sim.Report) float64 { return r.Totals.LatencyMS.P50 }},
	{"latency p99", func(r *sim.Report) float64 { return r.Totals.LatencyMS.P99 }},
	{"latency p99.9", func(r *sim.Report) float64 { return r.Totals.LatencyMS.P999 }},
	{"latency max", func(r *sim.Report) float64 { return r.Totals.LatencyMS.Max }},
	{"rejected", func(r *sim.Report) float64 { return float64(r.Totals.Rejected) }},
	{"errors", func(r *sim.Report) float64 { return float64(r.Totals.Errors) }},
	{"cold starts (requests)", func(r *sim.Report) float64 { return float64(r.Totals.ColdStarts) }},
	{"cold starts (services)", func(r *sim.Report) float64 { return float64(r.Totals.ColdStartServices) }},
}

// headlineMetrics are the changes a comparison leads with: what a policy
// costs and what its slowest requests wait.
var headlineMetrics = []string{"instance-hours", "latency p99"}

// minus is the typographic minus sign, which lines up with the plus.
const minus = "\u2212"

// fmtDelta formats the change from base to v in percent: "−57 %",
// "+154 %", "+4.5 %", "±0 %"; "up from 0" when base is 0 and v is not.
func fmtDelta(base, v float64) string {
	switch {
	case v == base:
		return "±0 %"
	case base == 0:
		return "up from 0"
	}
	pct := (v - base) / math.Abs(base) * 100
	digits := 0
	if math.Abs(pct) < 10 {
		digits = 1
	}
	s := strconv.FormatFloat(math.Abs(pct), 'f', digits, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "0" {
		return "±0 %"
	}
	if pct < 0 {
		return minus + s + " %"
	}
	return "+" + s + " %"
}

// deltaTable compares every run after the first with the first: one row
// per metric, one column per run.
func deltaTable(reps []*sim.Report) ([]string, [][]string) {
	labels := policyLabels(reps)
	header := []string{"against " + labels[0]}
	header = append(header, labels[1:]...)
	var rows [][]string
	for _, m := range deltaMetrics {
		row := []string{m.Label}
		base := m.Value(reps[0])
		for _, r := range reps[1:] {
			row = append(row, fmtDelta(base, m.Value(r)))
		}
		rows = append(rows, row)
	}
	return header, rows
}

// deltaHeadlines sums each later run up against the first in one line:
// "knative against waiter: −57 % instance-hours, +154 % latency p99".
func deltaHeadlines(reps []*sim.Report) []string {
	labels := policyLabels(reps)
	var out []string
	for i, r := range reps[1:] {
		var parts []string
		for _, name := range headlineMetrics {
			for _, m := range deltaMetrics {
				if m.Label == name {
					parts = append(parts, fmtDelta(m.Value(reps[0]), m.Value(r))+" "+name)
				}
			}
		}
		out = append(out, labels[i+1]+" against "+labels[0]+": "+strings.Join(parts, ", "))
	}
	return out
}

// deltaClass is the CSS class of a change: less is better for every
// delta metric.
func deltaClass(cell string) string {
	switch {
	case strings.HasPrefix(cell, minus):
		return "better"
	case strings.HasPrefix(cell, "+"), cell == "up from 0":
		return "worse"
	}
	return ""
}

// instanceHours converts instance-seconds, the simulator's unit of cost,
// into the unit people budget in.
func instanceHours(sec float64) float64 { return sec / 3600 }
