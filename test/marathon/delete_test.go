package marathon

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// TestDeleteService: DELETE /apps/{id} deletes the Marathon app, its
// kitchens stop, and the router no longer runs the service (a second
// DELETE says there is no such service); the next request starts it
// again, as a new Marathon app.
func TestDeleteService(t *testing.T) {
	t.Parallel()
	c := startCluster(t)
	svc := kitchenService(map[string]string{"min-instances": "2"})
	id := c.Start(svc)
	e2ekit.Eventually(t, 15*time.Second, "2 running tasks", func() (bool, string) {
		m, _ := c.marathonApp(id)
		return len(m.running()) == 2, m.String()
	})

	code, res := c.DeleteApp(id)
	if code != http.StatusOK || !res.Success || res.Result != "deleted" {
		t.Fatalf("DELETE /apps/%s: status %d, %+v; want 200 deleted", id, code, res)
	}
	assertGone(t, c, id, 15*time.Second)
	if code, _ := c.DeleteApp(id); code != http.StatusNotFound {
		t.Errorf("a second DELETE /apps/%s: status %d, want 404", id, code)
	}

	r := c.Send(svc, nil)
	if r.Err != nil || r.Status != http.StatusOK || r.ServiceID != id {
		t.Fatalf("a request after the delete: %v, want 200 from %s", r, id)
	}
	if m, found := c.marathonApp(id); !found || len(m.running()) == 0 {
		t.Errorf("after the request Marathon has %v (found %v), want the app running again", m, found)
	}
}

// assertGone waits up to timeout until service id is gone: Marathon has
// no app and the router's /apps does not list it; then until no process
// of its tasks lives (the kitchens get SIGTERM). It returns how long the
// first wait took.
func assertGone(t *testing.T, c *cluster, id string, timeout time.Duration) time.Duration {
	t.Helper()
	took := e2ekit.Eventually(t, timeout, "the service gone from Marathon and /apps", func() (bool, string) {
		m, inMarathon := c.marathonApp(id)
		listed := slices.Contains(c.AppIDs(), id)
		return !inMarathon && !listed, fmt.Sprintf("Marathon app found %v (%v); listed in /apps %v", inMarathon, m, listed)
	})
	e2ekit.Eventually(t, 10*time.Second, "no process of the service's tasks", func() (bool, string) {
		procs := taskProcesses(c.tasksDir)
		return len(procs) == 0, fmt.Sprintf("%v", procs)
	})
	return took
}
