package marathon

import (
	"errors"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
)

func newTestModel(agents int, cpus, mem float64) *Model {
	var ags []Agent
	for i := 0; i < agents; i++ {
		ags = append(ags, Agent{ID: string(rune('a' + i)), CPUs: cpus, MemMB: mem})
	}
	return New(Config{Agents: ags, LaunchLatency: rng.Dist{Kind: rng.Constant, Value: 1}}, rng.New(1))
}

func spec(id string, n int) AppSpec {
	return AppSpec{ID: id, Instances: n, CPUs: 1, MemMB: 128, HealthCheckInterval: 5 * time.Second,
		GracePeriod: 30 * time.Second, MaxConsecutiveFailures: 3, BackoffFactor: 2,
		Behavior: Behavior{StartupTime: rng.Dist{Kind: rng.Constant, Value: 2}}}
}

func TestTaskBecomesHealthyAfterListeningAndDeploymentEnds(t *testing.T) {
	m := newTestModel(1, 4, 1024)
	a, err := m.CreateApp(0, spec("app", 2))
	if err != nil {
		t.Fatal(err)
	}
	if a.Deployment == "" {
		t.Fatal("creating an app must start a deployment")
	}
	if err := m.ScaleApp(0, "app", 3, false); !errors.Is(err, ErrLocked) {
		t.Fatalf("scale during a deployment: %v, want ErrLocked (409)", err)
	}
	m.Advance(time.Second) // running at 1 s, listening at 3 s, first check at 6 s
	if _, running, _, _ := a.Counts(); running != 2 {
		t.Fatalf("running = %d after launch latency", running)
	}
	m.Advance(5 * time.Second)
	if _, _, healthy, _ := a.Counts(); healthy != 0 {
		t.Fatal("healthy before the first health check after listening")
	}
	m.Advance(6 * time.Second)
	if _, _, healthy, _ := a.Counts(); healthy != 2 {
		t.Fatalf("healthy = %d after the first check", healthy)
	}
	if a.Deployment != "" {
		t.Fatal("deployment did not finish once every task was healthy")
	}
	if err := m.ScaleApp(7*time.Second, "app", 3, false); err != nil {
		t.Fatalf("scale after the deployment: %v", err)
	}
}

func TestForceCancelsDeployment(t *testing.T) {
	m := newTestModel(1, 4, 1024)
	m.CreateApp(0, spec("app", 1))
	if err := m.ScaleApp(0, "app", 2, true); err != nil {
		t.Fatalf("forced scale refused: %v", err)
	}
	if got := m.App("app").Instances; got != 2 {
		t.Fatalf("instances = %d", got)
	}
}

func TestPlacementWaitsForRoom(t *testing.T) {
	m := newTestModel(1, 2, 1024)
	m.CreateApp(0, spec("app", 3))
	a := m.App("app")
	staged, _, _, _ := a.Counts()
	if staged != 3 || m.WaitingPlacements() != 1 {
		t.Fatalf("staged %d (incl. waiting), waiting placements %d", staged, m.WaitingPlacements())
	}
	waiting := 0
	for _, tk := range a.Tasks {
		if tk.State == TaskWaiting {
			waiting++
		}
	}
	if waiting != 1 {
		t.Fatalf("want one task waiting for room, got %d", waiting)
	}
	if err := m.KillTask(0, "app", a.Tasks[0].ID, true, true); err != nil {
		t.Fatal(err)
	}
	for _, tk := range a.Tasks {
		if tk.State == TaskWaiting {
			t.Fatal("freed room not used by the waiting task")
		}
	}
	if a.Instances != 2 {
		t.Fatalf("kill with scale left instances at %d", a.Instances)
	}
}

func TestNeverHealthyTaskIsKilledAfterGraceWithoutBackoff(t *testing.T) {
	m := newTestModel(1, 4, 1024)
	s := spec("app", 1)
	s.Behavior.NeverHealthy = true
	s.Behavior.HealthCheckStatus = 401
	m.CreateApp(0, s)
	m.Advance(2 * time.Minute)
	a := m.App("app")
	f, ok := a.LastTaskFailure()
	if !ok || !f.NeverPassedHealthChecks || f.Message != "Task was killed since health check failed" {
		t.Fatalf("want a health-check kill, got %+v", f)
	}
	if len(a.Tasks) != 1 {
		t.Fatal("no replacement launched after the health-check kill")
	}
	if a.backoff != 0 {
		t.Error("health-check kills must not back off (Marathon's code)")
	}
}

func TestBadCommandBacksOffExponentially(t *testing.T) {
	m := newTestModel(1, 4, 1024)
	s := spec("app", 1)
	s.Behavior.ExitCode = 127
	m.CreateApp(0, s)
	m.Advance(10 * time.Minute)
	a := m.App("app")
	if len(a.Failures) == 0 || a.Failures[0].ExitCode != 127 || !a.Failures[0].HasExitCode {
		t.Fatalf("failures: %+v", a.Failures)
	}
	// 1 s launch + exits, backoff 1, 2, 4, ... seconds: about log2(600) launches, not 600.
	if n := a.nextTask; n < 5 || n > 15 {
		t.Errorf("%d launches in 10 minutes; backoff not applied", n)
	}
	if len(a.Failures) > 10 {
		t.Errorf("kept %d failures, want at most 10", len(a.Failures))
	}
}

func TestLoseAgentReplacesTasksElsewhere(t *testing.T) {
	m := newTestModel(2, 4, 1024)
	m.CreateApp(0, spec("app", 2))
	a := m.App("app")
	lost := a.Tasks[0].AgentID
	m.LoseAgent(time.Second, lost)
	m.Advance(5 * time.Second) // past the launch backoff
	for _, tk := range a.Tasks {
		if tk.AgentID == lost {
			t.Fatal("task still on the lost agent")
		}
	}
	if len(a.Tasks) != 2 {
		t.Fatalf("tasks = %d after agent loss", len(a.Tasks))
	}
}

func TestUnknownAppsAndTasks(t *testing.T) {
	m := newTestModel(1, 4, 1024)
	if err := m.ScaleApp(0, "nope", 1, false); !errors.Is(err, ErrAppNotFound) {
		t.Errorf("scale unknown: %v", err)
	}
	m.CreateApp(0, spec("app", 1))
	if _, err := m.CreateApp(0, spec("app", 1)); !errors.Is(err, ErrAppExists) {
		t.Errorf("duplicate create: %v", err)
	}
	if err := m.KillTask(0, "app", "ghost", true, false); !errors.Is(err, ErrTaskNotFound) {
		t.Errorf("kill unknown task: %v", err)
	}
	if _, err := m.CreateApp(0, AppSpec{ID: "bad"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("invalid app: %v", err)
	}
	if err := m.DeleteApp(0, "app"); err != nil || m.App("app") != nil {
		t.Errorf("delete: %v", err)
	}
}

// An app deleted and created again under the same id launches tasks with
// the same ids (<app>.1 ...). The deleted task's pending events must not
// act on its namesake: before, the old launch made the new task running
// half a second early and started a second health-check chain.
func TestRecreatedAppIgnoresTheDeletedTasksEvents(t *testing.T) {
	m := newTestModel(1, 4, 1024)
	if _, err := m.CreateApp(0, spec("app", 1)); err != nil { // running at 1 s
		t.Fatal(err)
	}
	if err := m.DeleteApp(500*time.Millisecond, "app"); err != nil {
		t.Fatal(err)
	}
	a, err := m.CreateApp(500*time.Millisecond, spec("app", 1)) // running at 1.5 s
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Tasks) != 1 || a.Tasks[0].ID != "app.1" {
		t.Fatalf("re-created app's tasks %+v, want one named app.1 as before", a.Tasks)
	}
	m.Advance(1200 * time.Millisecond)
	if _, running, _, _ := a.Counts(); running != 0 {
		t.Fatalf("running = %d at 1.2 s: the deleted task's launch reached the new one", running)
	}
	m.Advance(1500 * time.Millisecond)
	if _, running, _, _ := a.Counts(); running != 1 || a.Tasks[0].StartedAt != 1500*time.Millisecond {
		t.Fatalf("running = %d, started at %v; want 1 started at its own launch, 1.5 s", running, a.Tasks[0].StartedAt)
	}
}
