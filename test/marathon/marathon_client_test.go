package marathon

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// marathonApp is the part of the simulator's GET /v2/apps/{id} the tests
// read: what Marathon itself was told and runs.
type marathonApp struct {
	ID           string           `json:"id"`
	Cmd          string           `json:"cmd"`
	Instances    int              `json:"instances"`
	TasksRunning int              `json:"tasksRunning"`
	Tasks        []marathonTask   `json:"tasks"`
	Deployments  []map[string]any `json:"deployments"`
}

type marathonTask struct {
	ID    string `json:"id"`
	Host  string `json:"host"`
	Ports []int  `json:"ports"`
	State string `json:"state"`
}

func (a marathonApp) String() string {
	tasks := make([]string, 0, len(a.Tasks))
	for _, tk := range a.Tasks {
		tasks = append(tasks, e2ekit.ShortID(tk.ID)+":"+strings.TrimPrefix(tk.State, "TASK_"))
	}
	return fmt.Sprintf("instances %d, tasksRunning %d, deployments %d, tasks %v",
		a.Instances, a.TasksRunning, len(a.Deployments), tasks)
}

// running lists the ids of the app's TASK_RUNNING tasks.
func (a marathonApp) running() []string {
	var ids []string
	for _, tk := range a.Tasks {
		if tk.State == "TASK_RUNNING" {
			ids = append(ids, tk.ID)
		}
	}
	return ids
}

// marathonApp is GET /v2/apps/{id} on the simulator (tasks included);
// found is false on 404. Any other status fails the test.
func (c *cluster) marathonApp(id string) (app marathonApp, found bool) {
	c.T.Helper()
	var out struct {
		App marathonApp `json:"app"`
	}
	switch code := c.GetJSON(c.simURL+"/v2/apps/"+id+"?embed=app.tasks", &out); code {
	case http.StatusOK:
		return out.App, true
	case http.StatusNotFound:
		return marathonApp{}, false
	default:
		c.T.Fatalf("Marathon GET /v2/apps/%s: status %d", id, code)
	}
	return marathonApp{}, false
}

// existingMarathonApp is marathonApp for an app that must exist.
func (c *cluster) existingMarathonApp(id string) marathonApp {
	c.T.Helper()
	app, found := c.marathonApp(id)
	if !found {
		c.T.Fatalf("Marathon has no app %s", id)
	}
	return app
}

// marathonAppIDs lists every app Marathon runs, without Marathon's
// leading slash (so they read as Waiter's service ids).
func (c *cluster) marathonAppIDs() []string {
	c.T.Helper()
	var out struct {
		Apps []marathonApp `json:"apps"`
	}
	if code := c.GetJSON(c.simURL+"/v2/apps", &out); code != http.StatusOK {
		c.T.Fatalf("Marathon GET /v2/apps: status %d", code)
	}
	ids := make([]string, 0, len(out.Apps))
	for _, a := range out.Apps {
		ids = append(ids, strings.TrimPrefix(a.ID, "/"))
	}
	return ids
}

// marathonStatus is the status of GET path on the simulator, whatever it
// is (the outage test expects 503).
func (c *cluster) marathonStatus(path string) int {
	c.T.Helper()
	return c.Call(http.MethodGet, c.simURL+path, "", nil)
}

// injectFault posts a fault to the simulator's POST /_sim/faults, e.g.
// {"unavailableFor": "8s"} (internal/fakemarathon/faults.go).
func (c *cluster) injectFault(body string) {
	c.T.Helper()
	if code := c.Call(http.MethodPost, c.simURL+"/_sim/faults", body, nil); code != http.StatusOK {
		c.T.Fatalf("POST /_sim/faults %s: status %d", body, code)
	}
}
