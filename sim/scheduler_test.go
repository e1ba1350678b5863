package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/marathon"
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
  launch-latency: 500ms
services:
  - name: api
    params: {cpus: 1, mem: 256, concurrency-level: 4, health-check-interval-secs: 10}
    startup: 1s
    service-time: 10ms
    load: {kind: constant, rate: 2}
`

func runScheduler(t *testing.T, scheduler scenario.Scheduler) *Report {
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

// The shell scheduler probes a starting instance every age/80 and tells
// the router at once, so the cold start costs little more than launch
// and start-up. On Marathon, whose own first health check comes 5 s after
// the task runs, the router checks a running instance Marathon does not
// call healthy yet itself at each poll (Waiter's scheduler syncer,
// adapters/marathon's Observe): it serves it from the first fast poll
// that finds it listening, not 5 s later.
func TestShellSchedulerLearnsHealthFaster(t *testing.T) {
	shell := runScheduler(t, scenario.SchedulerShell)
	marathon := runScheduler(t, scenario.SchedulerMarathon)
	t.Logf("worst cold start: shell %.0f ms, marathon %.0f ms", shell.Totals.LatencyMS.Max, marathon.Totals.LatencyMS.Max)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	// Create call 50 ms, launch 500 ms, start-up 1 s, then at most one
	// probe interval (1.25% of 1 s) and no poll.
	if got, most := shell.Totals.LatencyMS.Max, ms(1650*time.Millisecond); got > most || got < ms(1550*time.Millisecond) {
		t.Errorf("shell: worst cold start %.0f ms, want within [1550, %.0f]", got, most)
	}
	// Listening at 1.55 s, found by the next fast poll (every 200 ms) and
	// its answer (50 ms); without the router's own check it would be
	// Marathon's at 5.55 s.
	if got := marathon.Totals.LatencyMS.Max; got < ms(1550*time.Millisecond) || got > ms(1850*time.Millisecond) {
		t.Errorf("marathon: worst cold start %.0f ms, want within [1550, 1850]", got)
	}
}

// An operator kill in the simulator is the production driver's: the
// engine stops routing to the instance, the scheduler kills it keeping
// the requested count (engine.KillOptions.Replace), and a replacement
// starts.
func TestOperatorKillIsReplaced(t *testing.T) {
	sc, err := scenario.Parse("kill.yaml", []byte(`
name: operator-kill
seed: 4
duration: 40s
marathon: {agents: 2, launch-latency: 500ms}
services:
  - name: api
    params: {cpus: 1, mem: 256, min-instances: 2, max-instances: 2, health-check-interval-secs: 5}
    startup: 1s
    service-time: 10ms
    load: {kind: constant, rate: 1}
faults:
  - {kind: operator-kill, start: 20s, service: api, count: 1}
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRunner(sc, Options{CheckInvariants: true})
	if err != nil {
		t.Fatal(err)
	}
	id := r.svcs[0].desc.ID
	r.end = 20*time.Second - time.Millisecond
	r.loop()
	before := r.model.App(id)
	if before == nil || before.Instances != 2 || len(before.Tasks) != 2 {
		t.Fatalf("before the kill: %+v", before)
	}
	victim := before.Tasks[0].ID
	for _, tk := range before.Tasks[1:] {
		if tk.StartedAt < r.model.Task(victim).StartedAt || (tk.StartedAt == r.model.Task(victim).StartedAt && tk.ID < victim) {
			victim = tk.ID
		}
	}
	// Right after the kill call (50 ms of API latency), before any
	// scaling pass could restore a lowered count: the count never
	// dropped, and the replacement is already staged.
	r.end = 20*time.Second + 100*time.Millisecond
	r.loop()
	after := r.model.App(id)
	if after.Instances != 2 || len(after.Tasks) != 2 || r.model.Task(victim) != nil {
		t.Errorf("after the kill of %s: %d requested, tasks %v", victim, after.Instances, taskIDs(after.Tasks))
	}
	r.end = sc.Duration
	r.loop()
	if got := r.svcs[0].t.Kills; got != 1 {
		t.Errorf("%d kills, want 1", got)
	}
	if l, _ := r.rts[0].eng.ServiceLoad(id); l.Requested != 2 || l.Healthy != 2 {
		t.Errorf("the router's view after the replacement: %+v", l)
	}
}

func taskIDs(ts []*marathon.Task) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

// On Kubernetes the cold start is the create call (50 ms), the
// ReplicaSet controller's lag (50 ms), the pod's start (500 ms), then the
// kubelet's readiness probes: the first as the container starts, which
// fails (the service listens 1 s later), the next a health-check interval
// (10 s) on; the watches tell the router at once. So the worst cold start
// is 10.6 s, where the shell's is about 1.6 s.
func TestKubernetesCadence(t *testing.T) {
	sc, err := scenario.Parse("cadence.yaml", []byte(fmt.Sprintf(coldStartScenario, scenario.SchedulerKubernetes)+
		"kubernetes: {controller-lag: 50ms, pod-start: 500ms}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, rep := runJSON(t, sc, Options{})
	got := rep.Totals.LatencyMS.Max
	t.Logf("worst cold start on kubernetes: %.0f ms", got)
	if got < 10550 || got > 10700 {
		t.Errorf("kubernetes: worst cold start %.0f ms, want within [10550, 10700]", got)
	}
	sc.Kubernetes.ReadinessInitialDelay = 2 * time.Second
	_, rep = runJSON(t, sc, Options{})
	// The first probe 2 s after the container runs finds it listening.
	if got := rep.Totals.LatencyMS.Max; got < 2550 || got > 2700 {
		t.Errorf("kubernetes, readiness initial delay 2s: worst cold start %.0f ms, want within [2550, 2700]", got)
	}
}

// Options.CreateOverhead delays only a service's creation: the cold start
// is that much longer, and nothing else changes.
func TestCreateOverheadDelaysTheColdStart(t *testing.T) {
	sc, err := scenario.Parse("cadence.yaml", []byte(fmt.Sprintf(coldStartScenario, scenario.SchedulerShell)))
	if err != nil {
		t.Fatal(err)
	}
	_, base := runJSON(t, sc, Options{})
	_, slow := runJSON(t, sc, Options{CreateOverhead: 400 * time.Millisecond})
	if d := slow.Totals.LatencyMS.Max - base.Totals.LatencyMS.Max; d < 350 || d > 450 {
		t.Errorf("worst cold start %.0f ms with a 400 ms creation against %.0f ms: want about 400 ms more", slow.Totals.LatencyMS.Max, base.Totals.LatencyMS.Max)
	}
	if slow.Totals.ColdStartServices != base.Totals.ColdStartServices || slow.Totals.LatencyMS.P50 != base.Totals.LatencyMS.P50 {
		t.Errorf("p50 %.1f ms, cold-started services %d; want %.1f ms and %d as without",
			slow.Totals.LatencyMS.P50, slow.Totals.ColdStartServices, base.Totals.LatencyMS.P50, base.Totals.ColdStartServices)
	}
}
