package realrun

import (
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/scenario"
)

// A real run's cold starts are the first request of each service and each
// later one that waited at least the start-up while nothing was healthy;
// requests queued behind an instance that is healthy, and those within a
// cold start already found, are not cold starts.
func TestFirstInstancesOfARealRun(t *testing.T) {
	sc, err := scenario.Parse("t", []byte("name: t\nduration: 20s\nservices:\n  - name: a\n    startup: 2s\n    load: {kind: constant, rate: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	series := sim.Series{TimeS: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
		Healthy: []float64{0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1}}
	run := &Result{Report: &sim.Report{Series: series}, Requests: []Request{
		// The first request, sent 10 ms late: waited 2,100 ms (+10 late, +50 work, +1 overhead).
		{Service: "a", AtMS: 100, SentMS: 110, WorkMS: 50, LatencyMS: 2161, Outcome: outcomeOK},
		// Within the first cold start: not another.
		{Service: "a", AtMS: 500, SentMS: 500, WorkMS: 50, LatencyMS: 2051, Outcome: outcomeOK},
		// Queued 2.5 s behind a healthy instance: not a cold start.
		{Service: "a", AtMS: 4000, SentMS: 4000, WorkMS: 50, LatencyMS: 2551, Outcome: outcomeOK},
		// Nothing healthy at 8.5 s: a cold start of 2,300 ms.
		{Service: "a", AtMS: 8500, SentMS: 8500, WorkMS: 50, LatencyMS: 2351, Outcome: outcomeOK},
		// Refused: not counted.
		{Service: "a", AtMS: 9000, SentMS: 9000, LatencyMS: 5000, Outcome: outcomeRejected},
	}}
	got, err := FirstInstances(sc, run, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []FirstInstance{{Service: "a", Startup: 2 * time.Second, SentMS: 110, WaitMS: 2100},
		{Service: "a", Startup: 2 * time.Second, SentMS: 8500, WaitMS: 2300}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("cold start %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	run.Requests = append(run.Requests, Request{Service: "b", Outcome: outcomeOK})
	if _, err := FirstInstances(sc, run, 1); err == nil {
		t.Error("a service the scenario does not have: no error")
	}
}
