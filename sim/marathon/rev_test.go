package marathon

import (
	"testing"
	"time"
)

// An app's revision moves with everything a router reads of it (its
// tasks' state, health and what checks learnt, its instance count, its
// tasks coming and going) and stays while a check learns nothing new:
// the simulated router keeps its observation of an app while Rev stays
// (sim.Runner.observe), so a change that left Rev would go unseen.
func TestRevMovesWithWhatARouterReads(t *testing.T) {
	rt := &fakeRuntime{}
	m := newRuntimeModel(rt, time.Second)
	a, err := m.CreateApp(0, spec("app", 1))
	if err != nil {
		t.Fatal(err)
	}
	rev := a.Rev()
	step := func(what string, moves bool, do func()) {
		t.Helper()
		do()
		if moved := a.Rev() != rev; moved != moves {
			t.Errorf("%s: revision moved %v, want %v", what, moved, moves)
		}
		rev = a.Rev()
	}
	if rev == 0 {
		t.Error("launching a task left the revision at 0")
	}
	step("the task runs", true, func() { m.Advance(time.Second) })
	step("no event", false, func() { m.Advance(5 * time.Second) })
	pass := CheckResult{Pass: true, Connected: true, Responded: true, Status: 200}
	check := func(at time.Duration, r CheckResult) func() {
		return func() {
			m.Advance(at)
			m.HealthCheckDone(at, rt.checks[len(rt.checks)-1], r)
		}
	}
	// While the task starts, the next check follows a second after one
	// fails (StartCheckInterval); once healthy, every 5 s.
	step("a refused check (now checked)", true, check(6*time.Second, CheckResult{Cause: "connection refused"}))
	step("a refused check again", false, check(7*time.Second, CheckResult{Cause: "connection refused"}))
	step("a 503 (connected, responded, a status)", true, check(8*time.Second, CheckResult{Connected: true, Responded: true, Status: 503}))
	step("a 200 that does not pass yet (warming up)", true, check(9*time.Second, CheckResult{Connected: true, Responded: true, Status: 200}))
	step("a 200 that passes (alive, nothing else new)", true, check(10*time.Second, pass))
	step("the next check passes too", false, check(15*time.Second, pass))
	step("a check fails", true, check(20*time.Second, CheckResult{Connected: true, Responded: true, Status: 500}))
	step("the next check passes", true, check(25*time.Second, pass))
	step("a scale", true, func() {
		if err := m.ScaleApp(26*time.Second, "app", 2, true); err != nil {
			t.Fatal(err)
		}
	})
	step("a kill", true, func() {
		if err := m.KillTask(27*time.Second, "app", a.Tasks[0].ID, false, true); err != nil {
			t.Fatal(err)
		}
	})
}

// With the model's own checks (no Runtime), a healthy task's checks
// leave the revision, and after the first that changed nothing they are
// implied, not queued (resting.go). Its app's behaviour is fixed for the
// task's life, so a failing check after healthy ones comes only from a
// Runtime (TestRevMovesWithWhatARouterReads).
func TestRevStaysThroughModelChecksOfAHealthyTask(t *testing.T) {
	m := newTestModel(1, 4, 1024)
	a, err := m.CreateApp(0, spec("app", 1))
	if err != nil {
		t.Fatal(err)
	}
	m.Advance(12 * time.Second) // running at 1 s, listening at 3 s, healthy at 6 s, checked at 11 s
	if _, _, healthy, _ := a.Counts(); healthy != 1 {
		t.Fatalf("healthy = %d", healthy)
	}
	rev := a.Rev()
	m.Advance(time.Minute)
	if a.Rev() != rev {
		t.Errorf("a minute of passing checks moved the revision from %d to %d", rev, a.Rev())
	}
	if n := restingTasks(m); n != 1 {
		t.Errorf("%d tasks rest after a minute of passing checks, want 1", n)
	}
	if _, ok := m.NextEvent(); ok {
		t.Error("a model whose only task rests still queues work")
	}
	if h := m.HealthOf(a.Tasks[0]); h.LastSuccess != 56*time.Second {
		t.Errorf("last success at %v, want the implied check at 56 s", h.LastSuccess)
	}
}
