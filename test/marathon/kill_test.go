package marathon

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// Phases of the kill test's traffic.
const (
	beforeKill int32 = iota
	afterKill        // sent once POST .../kill had answered
)

// TestKillInstance: POST /apps/{id}/instance/{iid}/kill on the instance
// that serves the traffic takes it out of rotation at once (no request
// sent after the kill answered reaches it), Marathon kills its task and
// its kitchen stops, a replacement task keeps the app at its instance
// count, and requests before and after the kill all succeed.
func TestKillInstance(t *testing.T) {
	t.Parallel()
	c := startCluster(t)
	// Two instances, so that a request always has a healthy one while the
	// killed one is replaced.
	svc := kitchenService(map[string]string{"min-instances": "2"})
	id := c.Start(svc)
	var originals []string
	e2ekit.Eventually(t, 15*time.Second, "2 healthy instances", func() (bool, string) {
		a := c.App(id)
		originals = originals[:0]
		for _, in := range a.Instances.Active {
			originals = append(originals, in.ID)
		}
		return a.InstanceCounts.Healthy == 2 && len(originals) == 2, a.String()
	})

	tr := c.StartTraffic(svc, 1)
	e2ekit.Eventually(t, 10*time.Second, "traffic flowing", func() (bool, string) {
		return tr.Count(beforeKill) >= 20, fmt.Sprintf("%d replies", tr.Count(beforeKill))
	})
	victim := pauseAndKill(t, c, tr, id)

	var replacement string
	took := e2ekit.Eventually(t, 15*time.Second, "the victim's task gone and a replacement running in Marathon",
		func() (bool, string) {
			m, _ := c.marathonApp(id)
			running := m.running()
			replacement = ""
			for _, tk := range running {
				if !slices.Contains(originals, tk) {
					replacement = tk
				}
			}
			return m.Instances == 2 && len(running) == 2 && !slices.Contains(running, victim) && replacement != "",
				m.String()
		})
	t.Logf("Marathon replaced the killed task in %s", took.Round(time.Millisecond))
	e2ekit.Eventually(t, 15*time.Second, "the router routing to 2 healthy instances, the victim listed as killed",
		func() (bool, string) {
			a := c.App(id)
			var active, killed []string
			for _, in := range a.Instances.Active {
				if in.Healthy {
					active = append(active, in.ID)
				}
			}
			for _, in := range a.Instances.Killed {
				killed = append(killed, in.ID)
			}
			return len(active) == 2 && !slices.Contains(active, victim) && slices.Contains(active, replacement) &&
				slices.Contains(killed, victim), fmt.Sprintf("%v; killed %v", a, killed)
		})
	e2ekit.Eventually(t, 10*time.Second, "the victim's kitchen stopped", func() (bool, string) {
		var left []e2ekit.Process
		for _, p := range taskProcesses(c.tasksDir) {
			if p.Label == victim {
				left = append(left, p)
			}
		}
		return len(left) == 0, fmt.Sprintf("%v", left)
	})
	// Let the traffic run on the two instances the router has now.
	e2ekit.Eventually(t, 10*time.Second, "traffic after the kill", func() (bool, string) {
		return tr.Count(afterKill) >= 20, fmt.Sprintf("%d replies", tr.Count(afterKill))
	})

	for _, r := range tr.Stop() {
		if r.Err != nil || r.Status != http.StatusOK {
			t.Errorf("a request (phase %d): %v, want 200", r.Phase, r.Reply)
		}
		if r.Phase == afterKill && r.BackendID == victim {
			t.Errorf("a request sent after the kill answered reached the killed instance: %v", r.Reply)
		}
	}
}

// pauseAndKill kills the instance the traffic goes to (the router picks
// the oldest free instance), so that the kill visibly moves the traffic,
// and returns its id. Waiter's kill is a signal, not a drain: a request in
// flight on the instance when it dies fails, in Waiter as here. So the
// traffic pauses for the kill call itself; the test checks what follows,
// the instance out of rotation and replaced while requests go on.
func pauseAndKill(t *testing.T, c *cluster, tr *e2ekit.Traffic, id string) string {
	t.Helper()
	tr.Pause()
	defer tr.Resume() // also when t.Fatalf ends the test here
	last, _ := tr.Last()
	victim := last.BackendID
	if victim == "" {
		t.Fatalf("the traffic's last reply named no instance: %v", last)
	}
	code, res := c.KillInstance(id, victim)
	if code != http.StatusOK || !res.Success {
		t.Fatalf("POST /apps/%s/instance/%s/kill: status %d, %+v; want 200 success", id, victim, code, res)
	}
	// The very next requests, before the router has observed Marathon
	// again, must already avoid the victim: the router was routing to it
	// (the oldest instance) until now.
	for range 5 {
		if r := c.Send(tr.Service(), nil); r.Status != http.StatusOK || r.BackendID == victim {
			t.Errorf("a request right after the kill answered: %v; want 200 from another instance than %s", r, victim)
		}
	}
	tr.SetPhase(afterKill)
	return victim
}
