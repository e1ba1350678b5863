package marathon

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
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
	originals := c.AwaitHealthy(id, 2, 15*time.Second)

	tr := c.StartTraffic(svc, 1)
	tr.AwaitReplies(e2ekit.BeforeKill, 20, 10*time.Second)
	victim := c.KillServing(tr, id)

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
	e2ekit.AwaitGone(t, 10*time.Second, "the victim's kitchen stopped", func() []e2ekit.Process { return taskProcesses(c.tasksDir) }, victim)
	// Let the traffic run on the two instances the router has now.
	tr.AwaitReplies(e2ekit.AfterKill, 20, 10*time.Second)
	tr.StopAfterKill(victim)
}
