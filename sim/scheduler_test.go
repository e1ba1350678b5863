package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/scenario"
)

// coldStartScenario is one service that starts in 1 s on a cluster that
// launches in 0.5 s, with a health check every 10 s: every request of its
// first second waits for the cold start.
const coldStartScenario = `
name: scheduler-cadence
seed: 3
duration: 1m
scheduler: %s
router: {poll-interval: 5s, api-latency: 50ms}
marathon:
  agents: 2
  launch-latency: 0.5
services:
  - name: api
    params: {cpus: 1, mem: 256, concurrency-level: 4, health-check-interval-secs: 10}
    startup: 1
    service-time: 0.01
    load: {kind: constant, rate: 2}
`

func runScheduler(t *testing.T, scheduler string) *Report {
	t.Helper()
	sc, err := scenario.Parse("cadence.yaml", []byte(fmt.Sprintf(coldStartScenario, scheduler)))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Scheduler != scheduler {
		t.Fatalf("scheduler %q parsed as %q", scheduler, sc.Scheduler)
	}
	_, rep := runJSON(t, sc, Options{})
	return rep
}

// The shell scheduler probes a starting instance every age/20 and tells
// the router at once, so the cold start costs little more than launch
// and start-up; Marathon health-checks it 5 s after it runs (min(interval,
// 5 s)) and the router learns of it at its next (fast) poll.
func TestShellSchedulerLearnsHealthFaster(t *testing.T) {
	shell := runScheduler(t, scenario.SchedulerShell)
	marathon := runScheduler(t, scenario.SchedulerMarathon)
	t.Logf("worst cold start: shell %.0f ms, marathon %.0f ms", shell.Totals.LatencyMS.Max, marathon.Totals.LatencyMS.Max)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	// Create call 50 ms, launch 500 ms, start-up 1 s, then at most one
	// probe interval (5% of 1 s) and no poll.
	if got, most := shell.Totals.LatencyMS.Max, ms(1650*time.Millisecond); got > most || got < ms(1550*time.Millisecond) {
		t.Errorf("shell: worst cold start %.0f ms, want within [1550, %.0f]", got, most)
	}
	// The first health check runs 5 s after the task runs: 5.55 s, plus
	// up to one fast poll (200 ms) and its answer (50 ms).
	if got := marathon.Totals.LatencyMS.Max; got < ms(5550*time.Millisecond) || got > ms(5850*time.Millisecond) {
		t.Errorf("marathon: worst cold start %.0f ms, want within [5550, 5850]", got)
	}
}
