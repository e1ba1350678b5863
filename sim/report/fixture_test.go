package report

import (
	"fmt"

	"github.com/waiter-go/waiter/sim"
)

func f64(v float64) *float64 { return &v }

// fixture is a small synthetic report: 25 services (so the tables omit
// five), one failed assertion, text that needs escaping, a spike in every
// series, a Knative panic from 120 s to 150 s, a load spike and a fault,
// and one interval (290 s) in which nothing completed.
func fixture() *sim.Report {
	const n = 30
	s := sim.Series{IntervalS: 10}
	for i := range n {
		t := float64(i) * 10
		burst := i >= 10 && i < 20
		arr, out, inst := int64(50), 5.0, 3.0
		if burst {
			arr, out, inst = 1000, 400, 40
		}
		done := arr
		if i == 29 {
			done = 0
		}
		panicking := 0.0
		if i >= 12 && i < 15 {
			panicking = 1
		}
		s.TimeS = append(s.TimeS, t)
		s.Arrivals = append(s.Arrivals, arr)
		s.Completed = append(s.Completed, done)
		s.Rejected = append(s.Rejected, int64(i%7/6))
		s.Outstanding = append(s.Outstanding, out)
		s.Queued = append(s.Queued, out/2)
		s.Requested = append(s.Requested, inst+2)
		s.Healthy = append(s.Healthy, inst)
		s.Tasks = append(s.Tasks, inst+1)
		s.Desired = append(s.Desired, inst+4)
		s.Panicking = append(s.Panicking, panicking)
		s.P50MS = append(s.P50MS, 80+float64(i))
		s.P99MS = append(s.P99MS, 900+float64(i*i))
	}
	tot := sim.Totals{
		Requests: 329952, Completed: 329940, Rejected: 12, InFlight: 0, Errors: 3,
		RejectedBy:      map[string]int64{"queue-timeout": 9, "max-queue-length": 3},
		ColdStarts:      310,
		LatencyMS:       sim.Latency{P50: 156.238, P90: 404.75, P99: 4999.61, P999: 5603.59, Max: 15475.4, Mean: 403.673},
		InstanceSeconds: 173971.129, PeakInstances: 198, ScaleUps: 10, Kills: 154, Creates: 25, Deletes: 1,
	}
	rep := &sim.Report{
		Scenario: "fixture", Description: "A <script>alert(1)</script> burst | with a pipe.\nSecond line.",
		Seed: 42, Policy: "waiter", DurationS: 300, Totals: tot,
		Cluster: sim.ClusterTotals{Agents: 10, WaitingPlacements: 2, TaskFailures: 1},
		Series:  s,
		// The sum of 25 services' max-instances is far above the 42
		// instances the series peak at.
		MaxInstances: 1250,
		Windows: []sim.Window{
			{Kind: "spike", Label: "spike x20 (5 to 100/s)", StartS: 100, EndS: 200},
			{Kind: "crash", Label: "2 instances crash", Service: "svc-01", StartS: 250, EndS: 250},
		},
		Assertions: []sim.AssertionResult{
			{Metric: "requests", Value: 329952, Min: f64(100000), Passed: true},
			{Metric: "p99_latency_ms", Value: 4999.61, Max: f64(1000), Passed: false},
			{Metric: "cold_starts", Service: "svc-03", Value: 4, Min: f64(1), Max: f64(10), Passed: true},
			{Metric: "peak_instances", Value: 198, Max: f64(50), Passed: false},
			{Metric: "p50_latency_ms", Service: "svc-02", Value: 80, Max: f64(500), Passed: true},
		},
		Passed: false,
	}
	for i := range 25 {
		st := tot
		st.Requests = int64(1000 + i*37%25*100)
		st.RejectedBy = map[string]int64{}
		rep.Services = append(rep.Services, sim.ServiceTotals{Name: fmt.Sprintf("svc-%02d", i), ID: fmt.Sprintf("id%d", i),
			MaxInstances: 50, Totals: st})
	}
	return rep
}
