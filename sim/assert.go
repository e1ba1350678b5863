package sim

import "github.com/waiter-go/waiter/sim/scenario"

// metric returns the named figure of t (see scenario.Metrics).
func metric(t Totals, name scenario.Metric) float64 {
	switch name {
	case "requests":
		return float64(t.Requests)
	case "completed":
		return float64(t.Completed)
	case "rejected":
		return float64(t.Rejected)
	case "errors":
		return float64(t.Errors)
	case "cold-starts":
		return float64(t.ColdStarts)
	case "cold-start-services":
		return float64(t.ColdStartServices)
	case "peak-instances":
		return float64(t.PeakInstances)
	case "instance-seconds":
		return t.InstanceSeconds
	case "p50-latency-ms":
		return t.LatencyMS.P50
	case "p90-latency-ms":
		return t.LatencyMS.P90
	case "p99-latency-ms":
		return t.LatencyMS.P99
	case "p999-latency-ms":
		return t.LatencyMS.P999
	case "max-latency-ms":
		return t.LatencyMS.Max
	case "rejected-ratio":
		if t.Requests == 0 {
			return 0
		}
		return round3(float64(t.Rejected) / float64(t.Requests))
	}
	return 0
}

// check evaluates the scenario's assertions against the report.
func (r *Runner) check(rep *Report) ([]AssertionResult, bool) {
	all := true
	var out []AssertionResult
	for _, a := range r.sc.Assertions {
		t := rep.Totals
		if a.Service != "" {
			t = Totals{}
			for _, s := range rep.Services {
				if s.Name == a.Service {
					t = s.Totals
				}
			}
		}
		v := metric(t, a.Metric)
		ok := (a.Max == nil || v <= *a.Max) && (a.Min == nil || v >= *a.Min)
		all = all && ok
		out = append(out, AssertionResult{Metric: string(a.Metric), Service: a.Service, Value: v, Min: a.Min, Max: a.Max, Passed: ok})
	}
	return out, all
}
