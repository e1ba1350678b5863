package marathon

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// TestScalesWithConcurrentLoad: n slow requests at once to a service of
// concurrency level 1 make the router scale its Marathon app to n
// instances (the autoscaler's target is the outstanding requests), seen
// both in /apps/{id} and in Marathon's app; every request succeeds, on
// instances Marathon started for it. Once the load is gone the app
// scales back to min-instances, and the kitchens of the killed tasks
// stop.
func TestScalesWithConcurrentLoad(t *testing.T) {
	t.Parallel()
	c := startCluster(t)
	const n = 5
	svc := kitchenService(map[string]string{
		"concurrency-level": "1",
		// Close the gap to the target in about one scaling interval,
		// both ways, instead of Waiter's cautious 0.1 and 0.001.
		"scale-up-factor":   "0.9",
		"scale-down-factor": "0.9",
	})
	id := c.Start(svc)

	// Long enough that the load lasts until every instance has started
	// and taken a request, short enough for the test's budget.
	done := c.SendConcurrently(svc, n, map[string]string{"x-kitchen-delay-ms": "4000"})

	maxInstances := 0
	took := e2ekit.Eventually(t, 15*time.Second, fmt.Sprintf("%d healthy instances in /apps and %d running tasks in Marathon", n, n),
		func() (bool, string) {
			a := c.App(id)
			m, _ := c.marathonApp(id)
			maxInstances = max(maxInstances, m.Instances, a.InstanceCounts.Requested)
			return a.InstanceCounts.Healthy == n && m.Instances == n && m.TasksRunning == n,
				fmt.Sprintf("router: %v; Marathon: %v", a, m)
		})
	t.Logf("scaled up to %d instances in %s", n, took.Round(time.Millisecond))
	if got := len(e2ekit.Labels(taskProcesses(c.tasksDir))); got != n {
		t.Errorf("%d tasks have a live process, want %d", got, n)
	}

	// Keep sampling the peak until the load is over: the target is n,
	// and the autoscaler must not ask for more at any point.
	var replies []e2ekit.Reply
	e2ekit.Eventually(t, 20*time.Second, "every request under load answered", func() (bool, string) {
		a := c.App(id)
		m, _ := c.marathonApp(id)
		maxInstances = max(maxInstances, m.Instances, a.InstanceCounts.Requested)
		select {
		case replies = <-done:
			return true, ""
		default:
			return false, "requests still in flight"
		}
	})
	if maxInstances > n {
		t.Errorf("the service was scaled to %d instances for %d concurrent requests", maxInstances, n)
	}
	backends := map[string]bool{}
	for _, r := range replies {
		if r.Err != nil || r.Status != http.StatusOK {
			t.Errorf("a request under load: %v, want 200", r)
		}
		backends[r.BackendID] = true
	}
	// One instance cannot have answered them all: concurrency level 1
	// and 4 s each means they ran side by side on new instances.
	if len(backends) < 2 {
		t.Errorf("the %d requests were answered by %d instance(s), want several", n, len(backends))
	}

	// Idle now: back to min-instances (1), in Marathon and on the machine.
	took = e2ekit.Eventually(t, 30*time.Second, "scaled down to 1 instance with 1 live task", func() (bool, string) {
		a := c.App(id)
		m, _ := c.marathonApp(id)
		procs := e2ekit.Labels(taskProcesses(c.tasksDir))
		return a.InstanceCounts.Requested == 1 && m.Instances == 1 && len(m.Tasks) == 1 && len(procs) == 1,
			fmt.Sprintf("router: %v; Marathon: %v; tasks with a process: %d", a, m, len(procs))
	})
	t.Logf("scaled down to 1 instance in %s", took.Round(time.Millisecond))
}
