package kubernetes

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// TestScalesToExactlyNUnderConcurrentSlowRequests: n slow requests at
// once to a service of concurrency level 1 scale it to exactly n: n
// healthy instances in the router (its own health checks find them
// before the kubelet's readiness period), n replicas and n pods in the
// API server, never more; every request succeeds on several pods; once idle
// it scales back to one pod, whose processes alone remain.
func TestScalesToExactlyNUnderConcurrentSlowRequests(t *testing.T) {
	t.Parallel()
	c := startRouter(t)
	const n = 4
	svc := kitchenService(map[string]string{"concurrency-level": "1", "scale-up-factor": "0.9", "scale-down-factor": "0.9"})
	id := c.Start(svc)
	start := time.Now()
	done := c.SendConcurrently(svc, n, map[string]string{"x-kitchen-delay-ms": "5000"})
	peak := 0
	took := e2ekit.Eventually(t, 30*time.Second, fmt.Sprintf("%d healthy instances, %d replicas, %d pods", n, n, n),
		func() (bool, string) {
			a := c.App(id)
			rs := c.replicaSet(id)
			pods, _ := c.pods(rs)
			peak = max(peak, a.InstanceCounts.Requested, replicas(rs), len(pods))
			return a.InstanceCounts.Healthy == n && replicas(rs) == n && len(pods) == n,
				fmt.Sprintf("router %v; replicas %d, pods %v", a, replicas(rs), pods)
		})
	t.Logf("scaled to %d pods in %s", n, took.Round(time.Millisecond))
	var replies []e2ekit.Reply
	e2ekit.Eventually(t, 30*time.Second, "every request answered", func() (bool, string) {
		a := c.App(id)
		rs := c.replicaSet(id)
		pods, _ := c.pods(rs)
		peak = max(peak, a.InstanceCounts.Requested, replicas(rs), len(pods))
		select {
		case replies = <-done:
			return true, ""
		default:
			return false, "requests in flight"
		}
	})
	t.Logf("%d concurrent 5 s requests answered in %s", n, time.Since(start).Round(time.Millisecond))
	if peak > n {
		t.Errorf("scaled to %d for %d concurrent requests", peak, n)
	}
	backends := map[string]bool{}
	for _, r := range replies {
		if r.Err != nil || r.Status != http.StatusOK {
			t.Errorf("a request under load: %v", r)
		}
		backends[r.BackendID] = true
	}
	if len(backends) < 2 {
		t.Errorf("answered by %d instance(s), want several", len(backends))
	}
	took = e2ekit.Eventually(t, 40*time.Second, "back to 1 replica and 1 pod with processes", func() (bool, string) {
		a := c.App(id)
		rs := c.replicaSet(id)
		pods, _ := c.pods(rs)
		live := e2ekit.Labels(podProcesses(c.name))
		return a.InstanceCounts.Requested == 1 && replicas(rs) == 1 && len(pods) == 1 && len(live) == 1,
			fmt.Sprintf("router %v; replicas %d; pods %v; with processes %v", a, replicas(rs), pods, live)
	})
	t.Logf("scaled down to 1 pod in %s", took.Round(time.Millisecond))
}
