package marathon

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/rng"
	"pgregory.net/rapid"
)

// Resting tasks (resting.go) change how much work the model queues, never
// what it does: a model whose healthy tasks rest and one that queues
// every check, driven through the same random history of scales, kills,
// failures, restarts, held deployments, lost agents and time, report the
// same apps, tasks, health records, revisions, launch delays and change
// notifications after every step.
func TestRestingChecksChangeNothingObservable(t *testing.T) {
	rested, woken := 0, 0 // steps with a resting task, and with one woken since the step before
	rapid.Check(t, func(t *rapid.T) {
		var logs [2][]string
		// Coarse histories run on whole seconds: launches and startups
		// take whole seconds and time moves by them, so implied checks
		// fall at the very instant of a step (the tie resting.go rules on).
		coarse := rapid.Bool().Draw(t, "coarse")
		dist := func(min, max float64) rng.Dist {
			if coarse {
				return rng.Dist{Kind: rng.Constant, Value: float64(int(max + 0.5))}
			}
			return rng.Dist{Kind: rng.Uniform, Min: min, Max: max}
		}
		newModel := func(i int, seed uint64) *Model {
			cfg := Config{
				Agents:           []Agent{{ID: "a", CPUs: 4, MemMB: 4096}, {ID: "b", CPUs: 3, MemMB: 4096}},
				LaunchLatency:    dist(0.2, 2),
				BackoffSeconds:   1,
				MaxLaunchDelay:   time.Minute,
				FirstHealthCheck: 5 * time.Second,
				OnChange:         func(id string) { logs[i] = append(logs[i], id) },
			}
			m := New(cfg, rng.New(seed))
			m.noRest = i == 1
			return m
		}
		seed := rapid.Uint64().Draw(t, "seed")
		models := [2]*Model{newModel(0, seed), newModel(1, seed)}
		now := time.Duration(0)
		apps := []string{"x", "y", "z"}
		drawSpec := func(id string) AppSpec {
			b := Behavior{StartupTime: dist(0.1, 3)}
			if rapid.Bool().Draw(t, "warms") {
				b.HealthyAfter = dist(0.1, 8)
			}
			switch rapid.IntRange(0, 9).Draw(t, "behaviour") {
			case 0:
				b.NeverHealthy = true
			case 1:
				b.ExitCode = 1
			case 2:
				b.NeverListens = true
			}
			return AppSpec{ID: id, Instances: rapid.IntRange(0, 3).Draw(t, "instances"), CPUs: 1, MemMB: 128,
				HealthCheckInterval:    time.Duration(rapid.SampledFrom([]int{1, 2, 5, 10}).Draw(t, "interval")) * time.Second,
				GracePeriod:            time.Duration(rapid.IntRange(0, 20).Draw(t, "grace")) * time.Second,
				MaxConsecutiveFailures: rapid.IntRange(0, 3).Draw(t, "maxFailures"), BackoffFactor: 2, Behavior: b}
		}
		for _, id := range apps { // three apps from the start: most histories have healthy tasks
			sp := drawSpec(id)
			for _, m := range models {
				if _, err := m.CreateApp(0, sp); err != nil {
					t.Fatal(err)
				}
			}
		}
		restingBefore := 0
		for step := range rapid.IntRange(10, 120).Draw(t, "steps") {
			op := rapid.IntRange(0, 10).Draw(t, "op")
			id := rapid.SampledFrom(apps).Draw(t, "app")
			force := rapid.Bool().Draw(t, "force")
			var errs [2]error
			do := func(f func(m *Model) error) {
				for i, m := range models {
					errs[i] = f(m)
				}
			}
			task := func() string { // one of the app's tasks in the reference, "" if none
				if a := models[1].App(id); a != nil && len(a.Tasks) > 0 {
					return a.Tasks[rapid.IntRange(0, len(a.Tasks)-1).Draw(t, "task")].ID
				}
				return ""
			}
			switch op {
			case 0, 1, 2, 3:
				d := time.Duration(rapid.Int64Range(0, int64(40*time.Second)).Draw(t, "advance"))
				if coarse {
					d = d.Truncate(time.Second)
				}
				now += d
				do(func(m *Model) error { m.Advance(now); return nil })
			case 4:
				sp := drawSpec(id)
				do(func(m *Model) error { _, err := m.CreateApp(now, sp); return err })
			case 5:
				n := rapid.IntRange(0, 4).Draw(t, "scale")
				do(func(m *Model) error { return m.ScaleApp(now, id, n, force) })
			case 6:
				tid, scale := task(), rapid.Bool().Draw(t, "scale")
				do(func(m *Model) error { return m.KillTask(now, id, tid, scale, force) })
			case 7:
				tid := task()
				do(func(m *Model) error { return m.FailTask(now, tid, Failure{Message: "crashed"}) })
			case 8:
				sp := drawSpec(id)
				do(func(m *Model) error { return m.RestartApp(now, id, &sp, force) })
			case 9:
				d := time.Duration(rapid.Int64Range(0, int64(20*time.Second)).Draw(t, "hold"))
				if rapid.Bool().Draw(t, "reset") {
					do(func(m *Model) error { return m.ResetDelay(now, id) })
				} else {
					do(func(m *Model) error { _, err := m.HoldDeployment(now, id, d); return err })
				}
			case 10:
				if rapid.Bool().Draw(t, "lose") {
					ag := rapid.SampledFrom([]string{"a", "b"}).Draw(t, "agent")
					do(func(m *Model) error { m.LoseAgent(now, ag); return nil })
				} else {
					do(func(m *Model) error { return m.DeleteApp(now, id) })
				}
			}
			if fmt.Sprint(errs[0]) != fmt.Sprint(errs[1]) {
				t.Fatalf("step %d (op %d): resting model says %v, the reference %v", step, op, errs[0], errs[1])
			}
			if got, want := observable(models[0]), observable(models[1]); got != want {
				t.Fatalf("step %d (op %d) at %v: the resting model differs from the reference:\n%s\nwant\n%s", step, op, now, got, want)
			}
			if !reflect.DeepEqual(logs[0], logs[1]) {
				t.Fatalf("step %d: change notifications %v, want %v", step, logs[0], logs[1])
			}
			restingNow := restingTasks(models[0])
			if restingNow > 0 {
				rested++
			}
			if restingNow < restingBefore && op > 3 { // not by time alone
				woken++
			}
			restingBefore = restingNow
		}
	})
	t.Logf("rested %d woken %d", rested, woken)
	// The property says nothing unless tasks did rest and were woken.
	if rested < 100 || woken < 10 {
		t.Fatalf("%d steps had a resting task and %d woke one: the histories do not exercise resting", rested, woken)
	}
}

func restingTasks(m *Model) (n int) {
	for _, a := range m.Apps() {
		n += len(a.resting)
	}
	return n
}

// observable prints what a scheduler or a test can read of m.
func observable(m *Model) string {
	s := fmt.Sprintf("now %v waiting %d removals %d peak %d\n", m.Now(), m.WaitingPlacements(), m.Removals(), m.PeakTasks())
	for _, a := range m.Apps() {
		until, held := m.LaunchDelay(a)
		s += fmt.Sprintf("app %s rev %d instances %d deployment %q delay %v/%v peak %d seconds %.9f failures %+v\n",
			a.Spec.ID, a.Rev(), a.Instances, a.Deployment, until, held, a.PeakTasks, a.TaskSeconds, a.Failures)
		for _, t := range a.Tasks {
			s += fmt.Sprintf("  task %s %v on %s %v staged %v started %v alive %v checked %v status %d connected %v responded %v failures %d health %+v\n",
				t.ID, t.State, t.AgentID, t.Ports, t.StagedAt, t.StartedAt, t.Alive, t.HealthChecked, t.LastStatus,
				t.HasConnected, t.HasResponded, t.ConsecutiveFailures(), m.HealthOf(t))
		}
	}
	return s
}

// A failure at the very instant of a resting task's implied check: the
// check counts as run (a caller from outside comes after the model has
// advanced through now), so the backoff it would have reset holds until
// the next one. Queued as pending instead, the check would reset it at
// once and relaunch the failed task a second early.
func TestFailureAtAnImpliedCheckFindsItRun(t *testing.T) {
	models := restingAndReference(t, Config{
		Agents:           []Agent{{ID: "a", CPUs: 4, MemMB: 4096}},
		LaunchLatency:    rng.Dist{Kind: rng.Constant, Value: 1},
		BackoffSeconds:   3,
		MaxLaunchDelay:   time.Minute,
		FirstHealthCheck: 5 * time.Second,
	}, 7, AppSpec{ID: "app", Instances: 2, CPUs: 1, MemMB: 128, HealthCheckInterval: 2 * time.Second,
		BackoffFactor: 2, Behavior: Behavior{StartupTime: rng.Dist{Kind: rng.Constant, Value: 1}}})
	// Running at 1 s, listening at 2 s, healthy at the first check (3 s),
	// resting after the second (5 s): implied checks at 7, 9, 11, 13 s...
	for _, m := range models {
		m.Advance(13 * time.Second)
	}
	if n := restingTasks(models[0]); n != 2 {
		t.Fatalf("%d tasks rest at 13 s, want 2", n)
	}
	victim := models[1].App("app").Tasks[0].ID
	for _, m := range models {
		if err := m.FailTask(13*time.Second, victim, Failure{Message: "crashed"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, at := range []time.Duration{13 * time.Second, 14 * time.Second, 15 * time.Second, 16 * time.Second, 20 * time.Second} {
		for _, m := range models {
			m.Advance(at)
		}
		if got, want := observable(models[0]), observable(models[1]); got != want {
			t.Fatalf("at %v the resting model differs from the reference:\n%s\nwant\n%s", at, got, want)
		}
	}
}

// Two apps wait for one free slot at the same instant, and one of them
// has a task whose check was implied until the other's failure woke it:
// the check, queued only when woken, must still act before the other
// app's launch, as it does when it was queued all along (rapid found
// this history: pushed order gave the slot to the other app).
func TestWokenCheckKeepsItsPlaceAtItsInstant(t *testing.T) {
	startup := Behavior{StartupTime: rng.Dist{Kind: rng.Constant, Value: 3}}
	never := startup
	never.NeverHealthy = true
	specs := []AppSpec{{ID: "x", Instances: 2, Behavior: startup}, {ID: "y", Instances: 3, Behavior: never}}
	for i := range specs {
		specs[i].CPUs, specs[i].MemMB, specs[i].HealthCheckInterval, specs[i].BackoffFactor = 1, 128, time.Second, 2
	}
	models := restingAndReference(t, Config{
		Agents:           []Agent{{ID: "a", CPUs: 4, MemMB: 4096}, {ID: "b", CPUs: 3, MemMB: 4096}},
		LaunchLatency:    rng.Dist{Kind: rng.Constant, Value: 2},
		BackoffSeconds:   1,
		MaxLaunchDelay:   time.Minute,
		FirstHealthCheck: 5 * time.Second,
	}, 0, specs...)
	for _, m := range models {
		m.Advance(40 * time.Second)
	}
	if n := restingTasks(models[0]); n != 2 {
		t.Fatalf("%d tasks rest at 40 s, want x's 2", n)
	}
	victim := models[1].App("x").Tasks[0].ID
	for _, m := range models {
		m.LoseAgent(40*time.Second, "b") // y's task there is replaced after its backoff, at 41 s
		if err := m.FailTask(40*time.Second, victim, Failure{Message: "crashed"}); err != nil {
			t.Fatal(err) // wakes x's other task: its check at 41 s resets x's backoff
		}
		m.Advance(41 * time.Second)
	}
	if got, want := observable(models[0]), observable(models[1]); got != want {
		t.Fatalf("the resting model differs from the reference:\n%s\nwant\n%s", got, want)
	}
	// The one free slot on a goes to x, whose check comes first.
	for _, tk := range models[0].App("x").Tasks {
		if tk.State == TaskWaiting {
			t.Errorf("x's task %s waits for a slot; y's should", tk.ID)
		}
	}
}

// restingAndReference returns two models of cfg and seed with the apps
// specs: one whose tasks rest, and the reference, which queues every
// check.
func restingAndReference(t *testing.T, cfg Config, seed uint64, specs ...AppSpec) [2]*Model {
	var models [2]*Model
	for i := range models {
		models[i] = New(cfg, rng.New(seed))
		models[i].noRest = i == 1
		for _, sp := range specs {
			if _, err := models[i].CreateApp(0, sp); err != nil {
				t.Fatal(err)
			}
		}
	}
	return models
}
