package report

import (
	"slices"
	"strings"

	"github.com/waiter-go/waiter/sim"
)

// faultKinds are the window kinds that are faults; the others are load
// changes.
var faultKinds = map[string]bool{"marathon-outage": true, "slow-launch": true, "agent-loss": true, "crash": true}

// windowBands shades the scenario's faults and load changes.
func windowBands(ws []sim.Window) []band {
	out := make([]band, 0, len(ws))
	for _, w := range ws {
		kind := "load"
		if faultKinds[w.Kind] {
			kind = "fault"
		}
		label := w.Label
		if w.Service != "" {
			label += " (" + w.Service + ")"
		}
		out = append(out, band{From: w.StartS, To: w.EndS, Label: label, Kind: kind})
	}
	return out
}

// panicBands shades the intervals in which at least one service was in
// its policy's panic mode: each run of such intervals is one band from
// the first interval's start to the last one's end.
func panicBands(s sim.Series, label, color string) []band {
	var out []band
	n := min(len(s.TimeS), len(s.Panicking))
	for i := 0; i < n; i++ {
		if !(s.Panicking[i] > 0) {
			continue
		}
		j := i
		for j+1 < n && s.Panicking[j+1] > 0 {
			j++
		}
		out = append(out, band{From: s.TimeS[i], To: s.TimeS[j] + s.IntervalS, Label: label, Kind: "panic", Color: color})
		i = j
	}
	return out
}

// latencyAssertions maps the assertion metrics on latency to the label of
// the percentile they bound.
var latencyAssertions = map[string]string{
	"p50_latency_ms": "p50", "p90_latency_ms": "p90", "p99_latency_ms": "p99",
	"p999_latency_ms": "p99.9", "max_latency_ms": "max",
}

// assertionMetric normalises a metric name so either spelling of a
// scenario (p99_latency_ms, p99-latency-ms) finds its chart.
func assertionMetric(m string) string { return strings.ReplaceAll(m, "-", "_") }

// latencyRefs are the bounds of the run's latency assertions, for a
// latency chart; with only, just those on the named percentiles (a chart
// of p99 alone shows no bound on p50).
func latencyRefs(as []sim.AssertionResult, only ...string) []ref {
	var out []ref
	for _, a := range as {
		p, ok := latencyAssertions[assertionMetric(a.Metric)]
		if ok && (len(only) == 0 || slices.Contains(only, p)) {
			out = append(out, boundRefs(a, p, " ms")...)
		}
	}
	return out
}

// instanceRefs are the max-instances limit (when set; summed over the
// services of a run of several) and the bounds of peak-instances
// assertions, for an instances chart.
func instanceRefs(maxInstances, services int, as []sim.AssertionResult) []ref {
	var out []ref
	if maxInstances > 0 {
		label := "max-instances " + fmtInt(int64(maxInstances))
		if services > 1 {
			label += " (sum over " + fmtInt(int64(services)) + " services)"
		}
		out = append(out, ref{Value: float64(maxInstances), Label: label, Kind: "limit"})
	}
	for _, a := range as {
		if assertionMetric(a.Metric) == "peak_instances" {
			out = append(out, boundRefs(a, "peak instances", "")...)
		}
	}
	return out
}

// boundRefs turns an assertion's bounds into reference lines labelled
// like "assert p99 ≤ 1,000 ms" (with the service when it names one).
func boundRefs(a sim.AssertionResult, what, unit string) []ref {
	if a.Service != "" {
		what = a.Service + " " + what
	}
	var out []ref
	if a.Min != nil {
		out = append(out, ref{Value: *a.Min, Label: "assert " + what + " ≥ " + fmtNum(*a.Min) + unit, Kind: "assertion"})
	}
	if a.Max != nil {
		out = append(out, ref{Value: *a.Max, Label: "assert " + what + " ≤ " + fmtNum(*a.Max) + unit, Kind: "assertion"})
	}
	return out
}

// Reference lines further above the data than this factor would squash
// the chart: a linear axis keeps the data at least a third of its height,
// a log axis two decades.
const (
	linearReach = 3
	logReach    = 100
)

// placeRefs keeps the reference lines the chart can show without
// squashing its data and turns the others into notes.
func (p *plot) placeRefs(refs []ref) {
	top := 0.0
	for _, s := range p.Series {
		top = max(top, maxOf(s.Values))
	}
	reach := float64(linearReach)
	if p.Y.Log {
		reach = logReach
	}
	for _, r := range refs {
		if top > 0 && r.Value > top*reach || p.Y.Log && r.Value <= 0 {
			p.Notes = append(p.Notes, r.Label+" is off this chart (its data peaks at "+fmtNum(top)+p.unitSuffix()+").")
			continue
		}
		p.Refs = append(p.Refs, r)
	}
}

func (p *plot) unitSuffix() string {
	if p.Y.Unit == "" {
		return ""
	}
	return " " + p.Y.Unit
}
