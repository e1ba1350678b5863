package marathon

import (
	"errors"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
)

// fakeRuntime records what the model asks of a Runtime.
type fakeRuntime struct {
	started, stopped []string
	checks           []TaskRef
	startErr         error
}

func (f *fakeRuntime) Start(a *App, t *Task) error {
	if f.startErr != nil {
		return f.startErr
	}
	f.started = append(f.started, t.ID)
	t.Ports = []int{40000}
	return nil
}
func (f *fakeRuntime) Stop(t *Task)                       { f.stopped = append(f.stopped, t.ID) }
func (f *fakeRuntime) Check(a *App, t *Task, ref TaskRef) { f.checks = append(f.checks, ref) }

func newRuntimeModel(rt Runtime, startCheck time.Duration) *Model {
	return New(Config{Agents: []Agent{{ID: "a", CPUs: 8, MemMB: 4096}},
		LaunchLatency: rng.Dist{Kind: rng.Constant, Value: 1}, Runtime: rt,
		StartCheckInterval: startCheck}, rng.New(1))
}

func TestRuntimeStartsChecksAndStopsPrograms(t *testing.T) {
	rt := &fakeRuntime{}
	m := newRuntimeModel(rt, time.Second)
	a, err := m.CreateApp(0, spec("app", 1))
	if err != nil {
		t.Fatal(err)
	}
	m.Advance(time.Second)
	if len(rt.started) != 1 || a.Tasks[0].Ports[0] != 40000 {
		t.Fatalf("started %v, ports %v: the runtime must start the program and may set ports", rt.started, a.Tasks[0].Ports)
	}
	m.Advance(6 * time.Second) // first check at 1 s + min(interval, 5 s)
	if len(rt.checks) != 1 {
		t.Fatalf("checks = %d, want 1 (no next check before the result)", len(rt.checks))
	}
	m.HealthCheckDone(6*time.Second, rt.checks[0], CheckResult{Connected: true, Cause: "connection refused"})
	// Not yet healthy: the next check follows after StartCheckInterval, not the 5 s interval.
	m.Advance(7 * time.Second)
	if len(rt.checks) != 2 {
		t.Fatalf("checks = %d at 7 s, want 2 (StartCheckInterval)", len(rt.checks))
	}
	m.HealthCheckDone(7*time.Second, rt.checks[1], CheckResult{Pass: true, Connected: true, Responded: true, Status: 200})
	tk := a.Tasks[0]
	if !tk.Alive || !tk.Health.HasSuccess || tk.Health.FirstSuccess != 7*time.Second || tk.Health.LastFailureCause != "connection refused" {
		t.Fatalf("task health %+v alive %v", tk.Health, tk.Alive)
	}
	if a.Deployment != "" {
		t.Fatal("deployment still running once the task is healthy")
	}
	ref := tk.Ref()
	if err := m.KillTask(8*time.Second, "app", tk.ID, false, false); err != nil {
		t.Fatal(err)
	}
	if len(rt.stopped) != 1 || rt.stopped[0] != tk.ID {
		t.Fatalf("stopped %v, want the killed task", rt.stopped)
	}
	// Reports about the killed task are stale and dropped.
	m.ProgramEnded(8*time.Second, ref, ExitFailure(1, 0, ""))
	m.HealthCheckDone(8*time.Second, ref, CheckResult{})
	if len(a.Failures) != 0 {
		t.Fatalf("a stale exit was recorded: %+v", a.Failures)
	}
}

func TestProgramExitFailsTaskWithBackoff(t *testing.T) {
	rt := &fakeRuntime{}
	m := newRuntimeModel(rt, 0)
	a, _ := m.CreateApp(0, spec("app", 1))
	m.Advance(time.Second)
	m.ProgramEnded(2*time.Second, a.Tasks[0].Ref(), ExitFailure(3, 0, ""))
	f, ok := a.LastTaskFailure()
	if !ok || f.ExitCode != 3 || f.Message != "Command exited with status 3" {
		t.Fatalf("failure %+v", f)
	}
	if until, held := m.LaunchDelay(a); !held || until != 3*time.Second {
		t.Fatalf("launch delay %v %v, want backoff until 3 s", until, held)
	}
	if err := m.ResetDelay(2*time.Second, "app"); err != nil {
		t.Fatal(err)
	}
	if len(a.Tasks) != 1 {
		t.Fatal("resetting the delay did not relaunch")
	}
}

func TestFailedStartIsAFailedLaunch(t *testing.T) {
	rt := &fakeRuntime{startErr: errors.New("no such file")}
	m := newRuntimeModel(rt, 0)
	a, _ := m.CreateApp(0, spec("app", 1))
	m.Advance(time.Second)
	if f, ok := a.LastTaskFailure(); !ok || f.Message != "Failed to launch: no such file" {
		t.Fatalf("failure %+v", f)
	}
	if len(rt.stopped) != 0 {
		t.Fatal("a program that never started was stopped")
	}
}

func TestSlowAndHeldDeployments(t *testing.T) {
	m := newTestModel(1, 8, 4096)
	m.SetMinDeploymentTime(time.Minute)
	a, _ := m.CreateApp(0, spec("app", 1))
	m.Advance(30 * time.Second)
	if a.Deployment == "" {
		t.Fatal("slow deployment ended before its minimum time")
	}
	m.Advance(time.Minute)
	if a.Deployment != "" {
		t.Fatal("slow deployment did not end after its minimum time")
	}
	m.SetMinDeploymentTime(0)
	id, err := m.HoldDeployment(time.Minute, "app", time.Hour)
	if err != nil || id == "" {
		t.Fatal(err)
	}
	if err := m.ScaleApp(2*time.Minute, "app", 2, false); !errors.Is(err, ErrLocked) {
		t.Fatalf("scale under a held deployment: %v, want ErrLocked", err)
	}
	if err := m.ScaleApp(2*time.Minute, "app", 2, true); err != nil {
		t.Fatalf("forced scale: %v", err)
	}
}

func TestRestartReplacesTasks(t *testing.T) {
	m := newTestModel(1, 8, 4096)
	a, _ := m.CreateApp(0, spec("app", 2))
	m.Advance(time.Minute)
	old := map[string]bool{a.Tasks[0].ID: true, a.Tasks[1].ID: true}
	s := spec("app", 3)
	s.Version = "v2"
	if err := m.RestartApp(time.Minute, "app", &s, false); err != nil {
		t.Fatal(err)
	}
	if len(a.Tasks) != 3 || a.Deployment == "" {
		t.Fatalf("tasks %d deployment %q", len(a.Tasks), a.Deployment)
	}
	for _, tk := range a.Tasks {
		if old[tk.ID] || tk.Version != "v2" {
			t.Fatalf("task %s (version %q) not replaced", tk.ID, tk.Version)
		}
	}
}
