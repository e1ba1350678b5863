package serve

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// /state/{id} shows the autoscaler's view under Waiter's names, and the
// responder's view of each instance.
func TestServiceStateAutoscaler(t *testing.T) {
	r := startRouter(t, nil, func(c *config.Config) { c.ScalingInterval = 20 * time.Millisecond })
	h := service("autoscaled")
	status, body := read(t, r.call(t, "GET", "/", nil, h...))
	wantBody(t, status, body, 200)
	id := r.serviceID(t, h)

	var state map[string]any
	deadline := time.Now().Add(10 * time.Second)
	for { // the first scaling pass only starts the clock; the next decides
		status, body = read(t, r.call(t, "GET", "/state/"+id, nil))
		wantBody(t, status, body, 200)
		state = decode(t, body)["state"].(map[string]any)
		if state["autoscaler-state"].(map[string]any)["scale-to-instances"] != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no scaling decision in /state/%s:\n%s", id, body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	want := map[string]any{"policy": "waiter", "scale-amount": 0.0, "scale-to-instances": 1.0, "target-instances": 1.0,
		"outstanding-requests": 0.0, "healthy-instances": 1.0, "expired-instances": 0.0, "total-instances": 1.0,
		"task-count": 1.0, "scaling-state": "stable"}
	as := state["autoscaler-state"].(map[string]any)
	for k, v := range want {
		if as[k] != v {
			t.Errorf("autoscaler-state %s = %v, want %v", k, as[k], v)
		}
	}
	inst := r.sched.Instances(id)[0].ID
	rs := state["responder-state"].(map[string]any)
	is, _ := rs["instance-id->state"].(map[string]any)[inst].(map[string]any)
	if rs["free-slots"] != 1.0 || is == nil || len(is["status-tags"].([]any)) != 1 || is["status-tags"].([]any)[0] != "healthy" ||
		is["slots-used"] != 0.0 {
		t.Errorf("responder-state %v", rs)
	}
	if state["status"] != "Running" || state["instance-counts"].(map[string]any)["starting-instances"] != 0.0 {
		t.Errorf("state %v", state)
	}
}

// scaling-policy is the router's default policy, shown in /settings; a
// service may choose another with its scaling-policy parameter.
func TestScalingPolicySetting(t *testing.T) {
	r := startRouter(t, nil, func(c *config.Config) { c.ScalingPolicy = "knative" })
	status, body := read(t, r.call(t, "GET", "/settings", nil))
	wantBody(t, status, body, 200)
	if got := decode(t, body)["config"].(map[string]any)["scaling-policy"]; got != "knative" {
		t.Errorf("/settings scaling-policy %v", got)
	}
	for _, c := range []struct {
		headers []string
		want    string
	}{
		{service("by-default"), "knative"},
		{service("chosen", "x-waiter-scaling-policy", "waiter"), "waiter"},
	} {
		status, body := read(t, r.call(t, "GET", "/", nil, c.headers...))
		wantBody(t, status, body, 200)
		status, body = read(t, r.call(t, "GET", "/state/"+r.serviceID(t, c.headers), nil))
		wantBody(t, status, body, 200)
		as := decode(t, body)["state"].(map[string]any)["autoscaler-state"].(map[string]any)
		if as["policy"] != c.want {
			t.Errorf("policy %v, want %s", as["policy"], c.want)
		}
	}
}

// failing reports two failed instances (same exit code, two hosts) for
// the services in ids: a deployment error.
type failing struct {
	*fakesched.Scheduler
	ids *sync.Map
}

func (f failing) Observe(ctx context.Context) (map[string]engine.Observation, error) {
	all, err := f.Scheduler.Observe(ctx)
	for id, o := range all {
		if _, ok := f.ids.Load(id); ok {
			for _, host := range []string{"10.0.0.1", "10.0.0.2"} {
				o.Failed = append(o.Failed, engine.ObservedInstance{ID: id + ".failed-on-" + host, Host: host,
					ExitCode: 127, HasExitCode: true})
			}
			all[id] = o
		}
	}
	return all, err
}

// A deployment error: the engine fails the queued request at once and
// /apps/{id} shows the service Failing with the engine's message.
func TestFailingServiceJSON(t *testing.T) {
	ids := new(sync.Map)
	r := startRouterWrapped(t, nil, func(s *fakesched.Scheduler) engine.Scheduler { return failing{s, ids} })
	h := service("failing")
	id := r.serviceID(t, h)
	ids.Store(id, true)
	r.sched.StartUnhealthy(id, true)
	status, body := read(t, r.call(t, "GET", "/", nil, h...)) // the default queue timeout is 300 s
	wantBody(t, status, body, 503, engine.DeployBadStartupCommand)

	status, body = read(t, r.call(t, "GET", "/apps/"+id, nil))
	wantBody(t, status, body, 200)
	app := decode(t, body)
	if app["status"] != "Failing" || app["deployment-error-message"] != engine.DeployBadStartupCommand {
		t.Errorf("status %v, deployment-error-message %v", app["status"], app["deployment-error-message"])
	}
	if failed := app["instances"].(map[string]any)["failed-instances"].([]any); len(failed) != 2 {
		t.Errorf("failed-instances %v", failed)
	}
}
