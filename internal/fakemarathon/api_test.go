package fakemarathon_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	gomarathon "github.com/gambol99/go-marathon"

	"github.com/waiter-go/waiter/internal/fakemarathon"
	"github.com/waiter-go/waiter/sim/marathon"
)

// TestStatusCodesAndMessages checks reference section 5: 404 for unknown
// apps, tasks and deployments, 409 for duplicates and locks (unless
// force), 422 for invalid definitions, 400 for bad JSON, and never a 5xx.
func TestStatusCodesAndMessages(t *testing.T) {
	t.Parallel()
	s, u := newServer(t, nil)
	c := client(t, u)
	if _, err := c.Application("/nope"); apiCode(err) != gomarathon.ErrCodeNotFound || !strings.Contains(err.Error(), "App '/nope' does not exist") {
		t.Errorf("GET unknown app: %v", err)
	}
	if _, err := c.DeleteApplication("/nope", false); apiCode(err) != gomarathon.ErrCodeNotFound {
		t.Errorf("DELETE unknown app: %v", err)
	}
	// A scale of an unknown app is a create without cmd: 422, as in Marathon.
	if _, err := c.ScaleApplicationInstances("/nope", 2, true); apiCode(err) != gomarathon.ErrCodeInvalidBean {
		t.Errorf("scale unknown app: %v, want 422", err)
	}
	if _, err := c.CreateApplication(app("/web", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateApplication(app("/web", 1)); apiCode(err) != gomarathon.ErrCodeDuplicateID || !strings.Contains(err.Error(), "An app with id [/web] already exists.") {
		t.Errorf("duplicate create: %v", err)
	}
	// The create's deployment locks the app until its task is healthy.
	if _, err := s.HoldDeployment("/web", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ScaleApplicationInstances("/web", 2, false); apiCode(err) != gomarathon.ErrCodeAppLocked {
		t.Errorf("scale during a deployment: %v, want 409 locked", err)
	}
	a, err := c.Application("/web")
	if err != nil || len(a.Tasks) == 0 {
		t.Fatalf("app %+v: %v", a, err)
	}
	if _, err := c.KillTask(a.Tasks[0].ID, &gomarathon.KillTaskOpts{Scale: true}); apiCode(err) != gomarathon.ErrCodeAppLocked {
		t.Errorf("kill with scale during a deployment: %v, want 409 locked", err)
	}
	if st, _ := call(t, http.MethodDelete, u+"/v2/apps/web?force=false", nil); st != http.StatusConflict {
		t.Errorf("DELETE ?force=false during a deployment: %d, want 409", st)
	}
	if _, err := c.ScaleApplicationInstances("/web", 2, true); err != nil {
		t.Errorf("forced scale: %v", err)
	}
	if _, err := c.KillTask("web.no-such-task", &gomarathon.KillTaskOpts{}); apiCode(err) != gomarathon.ErrCodeNotFound {
		t.Errorf("kill unknown task: %v", err)
	}
	for _, bad := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/v2/apps", `{"id":"/x","cpus":1,"mem":32}`, 422, "must either contain one of 'cmd' or 'args'"},
		{"POST", "/v2/apps", `{"id":"/X_y","cmd":"true"}`, 422, "invalid characters"},
		{"POST", "/v2/apps", `{"id":"/x","cmd":"true","healthChecks":[{"portIndex":3}]}`, 422, "port indices"},
		{"POST", "/v2/apps", `{"id":"/x","cmd":"true","backoffFactor":0.5}`, 422, "backoffFactor"},
		{"POST", "/v2/apps", `{"id":`, 400, "Invalid JSON"},
		{"PUT", "/v2/apps/web", `{"version":"2017-01-01T00:00:00.000Z","cmd":"x"}`, 422, "may only be combined with the 'id' field"},
		{"PUT", "/v2/apps/web", `{"version":"2017-01-01T00:00:00.000Z"}`, 404, "does not exist in version"},
		{"GET", "/v2/apps/web/versions/yesterday", ``, 422, "Invalid format"},
		{"DELETE", "/v2/apps/web/tasks?scale=true&wipe=true", ``, 400, "scale and wipe"},
		{"DELETE", "/v2/deployments/nope", ``, 404, "DeploymentPlan nope does not exist"},
		{"POST", "/v2/tasks/delete", `{"ids":["notatask"]}`, 400, "Invalid task id"},
		{"GET", "/v2/pods", ``, 404, "not served"},
		{"PATCH", "/v2/apps/web", ``, 405, "Method Not Allowed"},
	} {
		st, body := call(t, bad.method, u+bad.path, []byte(bad.body))
		if st != bad.status || !strings.Contains(string(body), bad.want) {
			t.Errorf("%s %s %s: %d %s; want %d with %q", bad.method, bad.path, bad.body, st, body, bad.status, bad.want)
		}
		var e struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &e) != nil || e.Message == "" {
			t.Errorf("%s %s: error body %s is not {\"message\": ...}", bad.method, bad.path, body)
		}
	}
}

// TestHealthCheckKillsAfterMaxConsecutiveFailures: a task that never
// passes is killed on the check after maxConsecutiveFailures counted
// failures, reported as lastTaskFailure, and replaced without backoff.
func TestHealthCheckKillsAfterMaxConsecutiveFailures(t *testing.T) {
	t.Parallel()
	_, u := newServer(t, func(c *fakemarathon.Config) {
		c.BackoffSeconds = 600 // any backoff would stop the replacement
		c.Behavior = behaviors(map[string]marathon.Behavior{"sick": {NeverHealthy: true}})
	})
	c := client(t, u)
	a := app("/sick", 1)
	hc := (*a.HealthChecks)[0]
	hc.GracePeriodSeconds = 1 // 0 is omitted by go-marathon, and means 300
	a.HealthChecks = &[]gomarathon.HealthCheck{hc.SetMaxConsecutiveFailures(2)}
	if _, err := c.CreateApplication(a); err != nil {
		t.Fatal(err)
	}
	var first string
	until(t, "a health-check kill", func() bool {
		got, err := c.Application("/sick")
		if err != nil || got.LastTaskFailure == nil {
			return false
		}
		first = got.LastTaskFailure.TaskID
		f := got.LastTaskFailure
		if f.Message != "Task was killed since health check failed" || f.State != "TASK_KILLED" {
			t.Fatalf("lastTaskFailure %+v", f)
		}
		return true
	})
	until(t, "a replacement", func() bool {
		got, err := c.Application("/sick")
		return err == nil && len(got.Tasks) == 1 && got.Tasks[0].ID != first
	})
}

// TestLaunchBackoffAndQueue: a command that exits fails its task with
// Marathon's message; the relaunch waits out the backoff, which the
// queue shows and DELETE /v2/queue/{id}/delay resets.
func TestLaunchBackoffAndQueue(t *testing.T) {
	t.Parallel()
	_, u := newServer(t, func(c *fakemarathon.Config) {
		c.BackoffSeconds = 600
		c.Behavior = behaviors(map[string]marathon.Behavior{"bad": {ExitCode: 127}})
	})
	c := client(t, u)
	if _, err := c.CreateApplication(app("/bad", 1)); err != nil {
		t.Fatal(err)
	}
	until(t, "the launch queue to hold /bad", func() bool {
		q, err := c.Queue()
		return err == nil && len(q.Items) == 1 && !q.Items[0].Delay.Overdue && q.Items[0].Delay.TimeLeftSeconds > 500
	})
	got, err := c.Application("/bad")
	if err != nil || got.LastTaskFailure == nil || got.LastTaskFailure.Message != "Command exited with status 127" ||
		got.LastTaskFailure.State != "TASK_FAILED" || len(got.Tasks) != 0 {
		t.Fatalf("app %+v (failure %+v): %v", got, got.LastTaskFailure, err)
	}
	first := got.LastTaskFailure.TaskID
	if err := c.DeleteQueueDelay("/bad"); err != nil {
		t.Fatal(err)
	}
	// The relaunched task exits at once too, so it may be gone again
	// before a poll sees it: a new task's failure shows the relaunch as
	// surely as the task itself.
	until(t, "a relaunch after the delay reset", func() bool {
		got, err := c.Application("/bad")
		return err == nil && (len(got.Tasks) == 1 || got.LastTaskFailure != nil && got.LastTaskFailure.TaskID != first)
	})
}

// TestDeploymentsTakeTimeAndShow: a slow deployment is listed with its
// steps until it ends; a forced change cancels it.
func TestDeploymentsTakeTimeAndShow(t *testing.T) {
	t.Parallel()
	s, u := newServer(t, nil)
	c := client(t, u)
	s.SlowDeployments(time.Hour)
	if _, err := c.CreateApplication(app("/grp/slow", 1)); err != nil {
		t.Fatal(err)
	}
	until(t, "the task to be healthy", func() bool {
		a, err := c.Application("/grp/slow")
		return err == nil && a.TasksHealthy == 1
	})
	deps, err := c.Deployments()
	if err != nil || len(deps) != 1 {
		t.Fatalf("deployments %v: %v", deps, err)
	}
	d := deps[0]
	if d.AffectedApps[0] != "/grp/slow" || d.TotalSteps != 2 || d.Steps[0][0].Action != "StartApplication" || d.CurrentActions[0].Action != "ScaleApplication" {
		t.Errorf("deployment %+v", d)
	}
	s.SlowDeployments(0)
	dep, err := c.ScaleApplicationInstances("/grp/slow", 2, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitOnDeployment(dep.DeploymentID, 10*time.Second); err != nil {
		t.Fatalf("forced scale's deployment: %v", err)
	}
	if has, _ := c.HasDeployment(d.ID); has {
		t.Error("the cancelled deployment is still listed")
	}
}

// TestFaults covers the injected faults, through the Go API and POST
// /_sim/faults.
func TestFaults(t *testing.T) {
	t.Parallel()
	s, u := newServer(t, nil)
	c := client(t, u)
	s.RefuseNext(1, http.StatusConflict)
	if _, err := c.CreateApplication(app("/web", 1)); apiCode(err) != gomarathon.ErrCodeAppLocked {
		t.Fatalf("refused create: %v, want 409 locked", err)
	}
	if _, err := c.CreateApplication(app("/web", 1)); err != nil {
		t.Fatalf("create after the refusal: %v", err)
	}
	a := healthy(t, c, "/web", 1)
	if err := s.FailTask(a.Tasks[0].ID, 3); err != nil {
		t.Fatal(err)
	}
	until(t, "the failure and replacement", func() bool {
		a, err := c.Application("/web")
		return err == nil && a.LastTaskFailure != nil && a.LastTaskFailure.Message == "Command exited with status 3" && len(a.Tasks) == 1
	})
	for _, body := range []string{`{"hold":{"app":"/web","for":"1h"}}`, `{"refuse":{"count":1,"status":503}}`,
		`{"slowDeployments":"0s","launchFactor":1}`} {
		if st, b := call(t, http.MethodPost, u+"/_sim/faults", []byte(body)); st != http.StatusOK {
			t.Fatalf("POST /_sim/faults %s: %d %s", body, st, b)
		}
	}
	if st, _ := call(t, http.MethodPut, u+"/v2/apps/web?force=true", []byte(`{"instances":2}`)); st != http.StatusServiceUnavailable {
		t.Errorf("refused with 503: got %d", st)
	}
	if st, body := call(t, http.MethodPut, u+"/v2/apps/web", []byte(`{"instances":2}`)); st != http.StatusConflict {
		t.Errorf("PUT under a held deployment: %d %s, want 409", st, body)
	}
	if st, b := call(t, http.MethodPost, u+"/_sim/faults", []byte(`{"unavailableFor":"1h"}`)); st != http.StatusOK {
		t.Fatalf("unavailable: %d %s", st, b)
	}
	if st, _ := call(t, http.MethodGet, u+"/v2/apps", nil); st != http.StatusServiceUnavailable {
		t.Errorf("GET during the outage: %d, want 503", st)
	}
	if _, err := c.Applications(nil); err != gomarathon.ErrMarathonDown {
		t.Errorf("go-marathon during the outage: %v, want ErrMarathonDown", err)
	}
	if st, b := call(t, http.MethodPost, u+"/_sim/faults", []byte(`{"hold":{"app":"/web","for":"x"}}`)); st != http.StatusBadRequest {
		t.Errorf("bad duration: %d %s, want 400", st, b)
	}
}

// TestEventStream follows a create through go-marathon's SSE client:
// the task runs, turns healthy, and the deployment succeeds.
func TestEventStream(t *testing.T) {
	t.Parallel()
	_, u := newServer(t, nil)
	c := client(t, u)
	ch, err := c.AddEventsListener(gomarathon.EventIDApplications | gomarathon.EventIDDeploymentSuccess | gomarathon.EventIDDeploymentInfo)
	if err != nil {
		t.Fatal(err)
	}
	defer c.RemoveEventsListener(ch)
	if _, err := c.CreateApplication(app("/web", 1)); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	deadline := time.After(waitTimeout)
	for !(seen["TASK_RUNNING"] && seen["alive"] && seen["deployment_success"] && seen["deployment_info"]) {
		select {
		case ev := <-ch:
			switch e := ev.Event.(type) {
			case *gomarathon.EventStatusUpdate:
				seen[e.TaskStatus] = e.AppID == "/web"
			case *gomarathon.EventHealthCheckChanged:
				seen["alive"] = e.Alive && e.TaskID != ""
			case *gomarathon.EventDeploymentSuccess:
				seen["deployment_success"] = true
			case *gomarathon.EventDeploymentInfo:
				seen["deployment_info"] = e.Plan.ID != ""
			}
		case <-deadline:
			t.Fatalf("events seen: %v", seen)
		}
	}
}
