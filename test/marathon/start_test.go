package marathon

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// TestFirstRequestStartsService: the router creates nothing on Marathon
// until a request names a service; the first request then creates the
// Marathon app, waits for its task and is answered by the kitchen that
// task runs, whose id, host and port the router and Marathon agree on.
func TestFirstRequestStartsService(t *testing.T) {
	t.Parallel()
	c := startCluster(t)
	if ids := c.marathonAppIDs(); len(ids) != 0 {
		t.Fatalf("Marathon runs apps before any request: %v", ids)
	}

	svc := kitchenService(nil)
	begin := time.Now()
	r := c.Send(svc, nil)
	took := time.Since(begin)
	if r.Err != nil || r.Status != http.StatusOK || r.Body != "Hello World" {
		t.Fatalf("first request: %v, want 200 \"Hello World\"", r)
	}
	t.Logf("the first request (cold start on Marathon) took %s", took.Round(time.Millisecond))
	if r.ServiceID == "" || !strings.HasPrefix(r.BackendID, r.ServiceID+".") {
		t.Fatalf("debug headers: service %q, backend %q; want a backend id <service id>.<uuid>", r.ServiceID, r.BackendID)
	}

	// Marathon was told to run the kitchen, once, and runs it as the
	// task that answered.
	app := c.existingMarathonApp(r.ServiceID)
	if app.Instances != 1 || !strings.Contains(app.Cmd, bins.kitchen) {
		t.Errorf("Marathon app: %v, cmd %q; want 1 instance of %s", app, app.Cmd, bins.kitchen)
	}
	if running := app.running(); !slices.Equal(running, []string{r.BackendID}) {
		t.Errorf("Marathon's running tasks %v, want just the one that answered (%s)", running, r.BackendID)
	}

	// The router shows the same instance, healthy, where Marathon put it.
	a := c.App(r.ServiceID)
	if a.Status != "Running" || a.InstanceCounts.Healthy != 1 || len(a.Instances.Active) != 1 {
		t.Fatalf("GET /apps/%s: %v; want Running with 1 healthy instance", r.ServiceID, a)
	}
	in, task := a.Instances.Active[0], app.Tasks[0]
	if in.ID != task.ID || in.Host != task.Host || len(task.Ports) == 0 || in.Port != task.Ports[0] {
		t.Errorf("router's instance %s at %s:%d, Marathon's task %s at %s:%v", in.ID, in.Host, in.Port, task.ID, task.Host, task.Ports)
	}

	// And the task is a real kitchen on this machine.
	procs := taskProcesses(c.tasksDir)
	if ids := e2ekit.Labels(procs); !slices.Equal(ids, []string{r.BackendID}) {
		t.Fatalf("task processes %v, want those of task %s", procs, r.BackendID)
	}
	var kitchen bool
	for _, p := range procs {
		kitchen = kitchen || strings.HasPrefix(p.Cmdline, bins.kitchen+" -p "+strconv.Itoa(in.Port))
	}
	if !kitchen {
		t.Errorf("no process of the task runs %s on port %d: %v", bins.kitchen, in.Port, procs)
	}

	// The service is warm now: a second request needs no new task.
	if r2 := c.Send(svc, nil); r2.Status != http.StatusOK || r2.BackendID != r.BackendID {
		t.Errorf("second request: %v, want 200 from %s", r2, r.BackendID)
	}
}
