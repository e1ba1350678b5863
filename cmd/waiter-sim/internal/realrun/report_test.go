package realrun

import (
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/scenario"
)

// A real run's report counts outcomes, cold-started services from the
// samples and cold-start requests from the router's counters, integrates
// instance-seconds, and keeps the last sample where one is missing.
func TestReportFromARealRun(t *testing.T) {
	sc, err := scenario.Parse("t", []byte("name: t\nduration: 5s\nreport: {interval: 1s}\nservices:\n  - name: a\n    load: {kind: constant, rate: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := &plan{services: []*service{{name: "a", id: "a-id"}}}
	reqs := []Request{
		{Service: "a", AtMS: 100, LatencyMS: 2100, Outcome: outcomeOK, done: 2200 * time.Millisecond},
		{Service: "a", AtMS: 1500, LatencyMS: 50, Outcome: outcomeError, Reason: "502 x", done: 1550 * time.Millisecond},
		{Service: "a", AtMS: 2000, Outcome: outcomeRejected, Reason: "503 queue", done: 2 * time.Second},
		{Service: "a", AtMS: 4900, Outcome: outcomeUnanswered},
	}
	smp := newSampler(nil, "", p.services)
	g := func(h float64) []gauges { return []gauges{{requested: 1, healthy: h, tasks: 1}} }
	// No sample at 3 s: the router did not answer in time.
	smp.samples = []sample{{at: 0, per: []gauges{{}}}, {at: time.Second, per: g(0)}, {at: 2 * time.Second, per: g(1)},
		{at: 4 * time.Second, per: g(0)}, {at: 5 * time.Second, per: g(1)}}
	smp.cold[0].see(3)
	smp.killed[0].see(1)
	rep := buildReport(sc, 1, p, reqs, smp)
	tot := rep.Totals
	if tot.Requests != 4 || tot.Completed != 2 || tot.Errors != 1 || tot.Rejected != 1 || tot.InFlight != 1 || tot.RejectedBy["503 queue"] != 1 {
		t.Errorf("totals %+v", tot)
	}
	if tot.ColdStarts != 3 || tot.ColdStartServices != 2 || tot.Kills != 1 {
		t.Errorf("cold starts %d, cold-started services %d, kills %d; want 3, 2, 1", tot.ColdStarts, tot.ColdStartServices, tot.Kills)
	}
	if tot.InstanceSeconds != 5 || tot.PeakInstances != 1 {
		t.Errorf("instance-seconds %v, peak %d; want 5 and 1", tot.InstanceSeconds, tot.PeakInstances)
	}
	if got := rep.Series.Healthy; len(got) != 6 || got[2] != 1 || got[3] != 1 || got[4] != 0 || got[5] != 1 {
		t.Errorf("healthy series %v, want 3 s to keep 2 s's 1", got)
	}
	if rep.Series.Arrivals[0] != 1 || rep.Series.Completed[2] != 1 || rep.Services[0].Series == nil {
		t.Errorf("series %+v", rep.Series)
	}
}
