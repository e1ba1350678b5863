package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/waiter-go/waiter/sim"
)

// metric is one line of a totals table. Every writer (Markdown, HTML, the
// text summary, the comparison) draws its lines from the lists below, so
// they all show the same figures under the same names.
type metric struct {
	Label string
	Value func(r *sim.Report) string
}

// The metrics, one per figure.
var (
	mRequests  = metric{"requests", func(r *sim.Report) string { return fmtInt(r.Totals.Requests) }}
	mCompleted = metric{"completed", func(r *sim.Report) string { return fmtInt(r.Totals.Completed) }}
	mRejected  = metric{"rejected", func(r *sim.Report) string {
		return fmt.Sprintf("%s (%s)", fmtInt(r.Totals.Rejected), fmtPercent(r.Totals.Rejected, r.Totals.Requests))
	}}
	mReasons    = metric{"rejected by reason", func(r *sim.Report) string { return fmtReasons(r.Totals.RejectedBy) }}
	mInFlight   = metric{"in flight at end", func(r *sim.Report) string { return fmtInt(r.Totals.InFlight) }}
	mErrors     = metric{"errors", func(r *sim.Report) string { return fmtInt(r.Totals.Errors) }}
	mColdStarts = metric{"cold starts (requests)", func(r *sim.Report) string { return fmtInt(r.Totals.ColdStarts) }}
	mColdSvcs   = metric{"cold starts (services)", func(r *sim.Report) string { return fmtInt(r.Totals.ColdStartServices) }}
	mInstHours  = metric{"instance-hours", func(r *sim.Report) string { return fmtNum(instanceHours(r.Totals.InstanceSeconds)) }}
	mPeak       = metric{"peak instances", func(r *sim.Report) string { return fmtInt(int64(r.Totals.PeakInstances)) }}
	mScaleUps   = metric{"scale-ups", func(r *sim.Report) string { return fmtInt(r.Totals.ScaleUps) }}
	mKills      = metric{"kills", func(r *sim.Report) string { return fmtInt(r.Totals.Kills) }}
	mCreates    = metric{"creates / deletes", func(r *sim.Report) string {
		return fmtInt(r.Totals.Creates) + " / " + fmtInt(r.Totals.Deletes)
	}}
	mSchedErrs = metric{"scheduler errors", func(r *sim.Report) string { return fmtInt(r.Totals.SchedulerErrors) }}
	mAgents    = metric{"agents", func(r *sim.Report) string { return fmtInt(int64(r.Cluster.Agents)) }}
	mWaiting   = metric{"waiting placements", func(r *sim.Report) string { return fmtInt(r.Cluster.WaitingPlacements) }}
	mTaskFails = metric{"task failures", func(r *sim.Report) string { return fmtInt(int64(r.Cluster.TaskFailures)) }}

	mP50  = metric{"p50", func(r *sim.Report) string { return fmtMS(r.Totals.LatencyMS.P50) }}
	mP90  = metric{"p90", func(r *sim.Report) string { return fmtMS(r.Totals.LatencyMS.P90) }}
	mP99  = metric{"p99", func(r *sim.Report) string { return fmtMS(r.Totals.LatencyMS.P99) }}
	mP999 = metric{"p99.9", func(r *sim.Report) string { return fmtMS(r.Totals.LatencyMS.P999) }}
	mMax  = metric{"max", func(r *sim.Report) string { return fmtMS(r.Totals.LatencyMS.Max) }}
	mMean = metric{"mean", func(r *sim.Report) string { return fmtMS(r.Totals.LatencyMS.Mean) }}

	mAssertions = metric{"assertions", fmtAssertions}
)

// totalsMetrics are the run's counts and costs.
var totalsMetrics = []metric{mRequests, mCompleted, mRejected, mReasons, mInFlight, mErrors,
	mColdStarts, mColdSvcs, mInstHours, mPeak, mScaleUps, mKills, mCreates, mSchedErrs, mAgents, mWaiting, mTaskFails}

// latencyMetrics are the latency percentiles over every request.
var latencyMetrics = []metric{mP50, mP90, mP99, mP999, mMax, mMean}

// summaryMetrics are the lines `waiter-sim run` prints and the comparison
// table shows: the figures a policy change moves.
var summaryMetrics = []metric{mRequests, mCompleted, mRejected, mErrors, mColdStarts, mColdSvcs,
	latency(mP50), latency(mP90), latency(mP99), latency(mP999), latency(mMax),
	mInstHours, mPeak, mScaleUps, mKills, mAssertions}

// latency names a latency metric for a table that mixes it with counts.
func latency(m metric) metric { return metric{"latency " + m.Label, m.Value} }

// fmtReasons lists rejection reasons in name order: "queue-timeout 3, ...".
func fmtReasons(by map[string]int64) string {
	if len(by) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(by))
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + fmtInt(by[k])
	}
	return strings.Join(parts, ", ")
}

// fmtAssertions summarises the assertions: "5/5 pass" or "1 of 5 FAIL".
func fmtAssertions(r *sim.Report) string {
	failed := 0
	for _, a := range r.Assertions {
		if !a.Passed {
			failed++
		}
	}
	switch {
	case len(r.Assertions) == 0:
		return "none"
	case failed == 0:
		return fmt.Sprintf("%d/%d pass", len(r.Assertions), len(r.Assertions))
	}
	return fmt.Sprintf("%d of %d FAIL", failed, len(r.Assertions))
}

// topServices returns up to limit services with the most requests (ties
// by name) and how many were left out.
func topServices(r *sim.Report, limit int) ([]sim.ServiceTotals, int) {
	s := append([]sim.ServiceTotals(nil), r.Services...)
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].Requests != s[j].Requests {
			return s[i].Requests > s[j].Requests
		}
		return s[i].Name < s[j].Name
	})
	if len(s) <= limit {
		return s, 0
	}
	return s[:limit], len(s) - limit
}

// maxServices is how many services the per-service tables show.
const maxServices = 20

// serviceColumns are the per-service table's columns.
var serviceColumns = []string{"service", "requests", "completed", "rejected", "cold starts",
	"p50", "p99", "instance-hours", "peak instances"}

// serviceRow is one service's cells, in serviceColumns order.
func serviceRow(s sim.ServiceTotals) []string {
	return []string{s.Name, fmtInt(s.Requests), fmtInt(s.Completed), fmtInt(s.Rejected),
		fmtInt(s.ColdStarts), fmtMS(s.LatencyMS.P50), fmtMS(s.LatencyMS.P99),
		fmtNum(instanceHours(s.InstanceSeconds)), fmtInt(int64(s.PeakInstances))}
}

// assertionRow is one assertion's cells: metric, service, bound, value, outcome.
func assertionRow(a sim.AssertionResult) []string {
	svc := a.Service
	if svc == "" {
		svc = "all"
	}
	return []string{a.Metric, svc, fmtBound(a.Min, a.Max), fmtNum(a.Value), passFail(a.Passed)}
}

// assertionColumns are the assertion table's columns.
var assertionColumns = []string{"metric", "service", "bound", "value", "result"}

// metricRows evaluates metrics on each report: one row per metric, one
// column per report.
func metricRows(ms []metric, reps ...*sim.Report) [][]string {
	rows := make([][]string, len(ms))
	for i, m := range ms {
		row := []string{m.Label}
		for _, r := range reps {
			row = append(row, m.Value(r))
		}
		rows[i] = row
	}
	return rows
}
