package acceptance

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Ports of basic_test.clj's /apps tests: test-list-apps, test-delete-service,
// test-suspend-resume and test-override.

// test-list-apps: /apps shows the service with its status, last request
// time, resource usage, scaling state and description; run-as-user
// filters (with * wildcards); effective parameters only when asked.
func TestListApps(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	user := currentUser(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(h)))
	resp := rt.kitchen(h)
	expectStatus(t, resp, http.StatusOK)
	id := resp.serviceID()

	check := func(t *testing.T, query url.Values) map[string]any {
		t.Helper()
		app := findApp(rt.listApps(t, query), id)
		if app == nil {
			t.Fatalf("/apps?%s does not list %s", query.Encode(), id)
		}
		if s := app["status"]; s != "Running" && s != "Starting" {
			t.Errorf("status = %v, want Running or Starting", s)
		}
		if s, _ := app["last-request-time"].(string); s == "" {
			t.Errorf("no last-request-time: %v", app)
		}
		for _, k := range []string{"resource-usage", "scaling-state"} {
			if app[k] == nil {
				t.Errorf("no %s: %v", k, app)
			}
		}
		if cpus, _ := nested(app, "service-description", "cpus").(float64); cpus <= 0 {
			t.Errorf("service-description cpus = %v, want > 0", cpus)
		}
		return app
	}
	t.Run("without parameters", func(t *testing.T) {
		if app := check(t, nil); app["effective-parameters"] != nil {
			t.Errorf("effective-parameters shown by default")
		}
	})
	t.Run("star run-as-user", func(t *testing.T) {
		pattern := user[:max(0, len(user)-2)] + "*"
		check(t, url.Values{"run-as-user": {pattern}})
	})
	t.Run("same run-as-user", func(t *testing.T) {
		check(t, url.Values{"force": {"false"}, "run-as-user": {user}})
	})
	t.Run("different run-as-user", func(t *testing.T) {
		if app := findApp(rt.listApps(t, url.Values{"run-as-user": {"test-user"}}), id); app != nil {
			t.Errorf("/apps?run-as-user=test-user lists %s", id)
		}
	})
	t.Run("effective parameters explicitly not requested", func(t *testing.T) {
		if app := check(t, url.Values{"effective-parameters": {"false"}}); app["effective-parameters"] != nil {
			t.Errorf("effective-parameters shown with effective-parameters=false")
		}
	})
	for _, query := range []url.Values{{"effective-parameters": {"true"}}, {"include": {"effective-parameters"}}} {
		t.Run("effective parameters requested with "+query.Encode(), func(t *testing.T) {
			eff, ok := check(t, query)["effective-parameters"].(map[string]any)
			if !ok {
				t.Fatalf("no effective-parameters in /apps?%s", query.Encode())
			}
			expectEffectiveParameters(t, eff)
		})
	}
}

// expectEffectiveParameters checks that every parameter of reference
// section 2.1 that has a default is among the effective parameters.
func expectEffectiveParameters(t *testing.T, eff map[string]any) {
	t.Helper()
	for _, k := range []string{"allowed-params", "authentication", "backend-proto", "cmd", "cmd-type",
		"concurrency-level", "cpus", "distribution-scheme", "env", "expired-instance-restart-rate",
		"grace-period-secs", "health-check-authentication", "health-check-interval-secs",
		"health-check-max-consecutive-failures", "health-check-port-index", "health-check-url",
		"idle-timeout-mins", "instance-expiry-mins", "interstitial-secs", "jitter-threshold",
		"load-balancing", "max-instances", "max-queue-length", "mem", "metadata", "metric-group",
		"min-instances", "permitted-user", "ports", "restart-backoff-factor", "routing-mode", "run-as-user",
		"scale-down-factor", "scale-factor", "scale-up-factor", "termination-grace-period-secs", "version"} {
		if _, ok := eff[k]; !ok {
			t.Errorf("effective-parameters lacks %s", k)
		}
	}
}

// test-delete-service: DELETE /apps/{id} removes the service, a second
// delete is 404, a non-integer timeout is 400.
func TestDeleteService(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(h)))
	resp := rt.kitchen(h)
	expectStatus(t, resp, http.StatusOK)
	id := resp.serviceID()
	if findApp(rt.listApps(t, nil), id) == nil {
		t.Fatalf("/apps does not list %s", id)
	}

	expectStatus(t, rt.request(http.MethodDelete, "/apps/"+id, nil, nil), http.StatusOK)
	waitFor(t, "the deleted service to leave /apps", 20*time.Second, 100*time.Millisecond, func() (bool, string) {
		return findApp(rt.listApps(t, nil), id) == nil, "still listed"
	})
	expectStatus(t, rt.request(http.MethodDelete, "/apps/"+id, nil, nil), http.StatusNotFound)

	bad := rt.request(http.MethodDelete, "/apps/"+id+"?timeout=Invalid-timeout-value", nil, nil)
	expectStatus(t, bad, http.StatusBadRequest)
	expectBody(t, bad, "timeout")
}

// test-suspend-resume: a suspended service answers 503 "Service has been
// suspended" to every request; resumed, it serves again.
func TestSuspendResume(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(h)))
	resp := rt.kitchen(h)
	expectStatus(t, resp, http.StatusOK)
	id := resp.serviceID()

	all := func(what string, ok func(response) bool) {
		t.Helper()
		for r := range parallelRequests(10, 2, func() response { return rt.kitchen(h) }) {
			if !ok(r) {
				t.Errorf("%s: %s", what, r)
			}
		}
	}
	all("before suspending, want 200", func(r response) bool { return r.Err == nil && r.Status == 200 })
	expectStatus(t, rt.get("/apps/"+id+"/suspend"), http.StatusOK)
	all("suspended, want 503 Service has been suspended", func(r response) bool {
		return r.Status == 503 && strings.Contains(r.Body, "Service has been suspended")
	})
	expectStatus(t, rt.get("/apps/"+id+"/resume"), http.StatusOK)
	all("resumed, want 200", func(r response) bool { return r.Err == nil && r.Status == 200 })
}

// test-override: overrides change the effective parameters (not the id),
// are shown with who set them and when, and can be deleted; keys that
// cannot be overridden are refused.
func TestOverride(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(h)))
	resp := rt.kitchen(h)
	expectStatus(t, resp, http.StatusOK)
	id := resp.serviceID()
	endpoint := "/apps/" + id + "/override"
	overrides := map[string]any{"max-instances": 100.0, "min-instances": 2.0, "scale-factor": 0.3}

	asJSON := map[string]string{"content-type": "application/json"}
	bad := rt.request(http.MethodPost, endpoint, asJSON, strings.NewReader(`{"cmd": "evil", "cpus": 2}`))
	expectStatus(t, bad, http.StatusBadRequest)
	expectBody(t, bad, "cmd", "cpus")

	expectStatus(t, rt.request(http.MethodPost, endpoint, asJSON, jsonBody(t, overrides)), http.StatusOK)
	got := rt.get(endpoint)
	expectStatus(t, got, http.StatusOK)
	var view map[string]any
	got.json(t, &view)
	if view["last-updated-by"] != currentUser(t) || view["service-id"] != id || view["time"] == nil ||
		!reflect.DeepEqual(view["overrides"], overrides) {
		t.Errorf("GET %s = %v, want overrides %v by %s with a time", endpoint, view, overrides, currentUser(t))
	}
	settings := rt.serviceSettings(t, id, url.Values{"effective-parameters": {"true"}})
	if !reflect.DeepEqual(settings.Overrides.Overrides, overrides) {
		t.Errorf("service-description-overrides = %v, want %v", settings.Overrides.Overrides, overrides)
	}
	for k, v := range overrides {
		if settings.EffectiveParameters[k] != v {
			t.Errorf("effective %s = %v, want the override %v", k, settings.EffectiveParameters[k], v)
		}
	}
	if again := rt.serviceIDOf(t, kitchenHeaders(h)); again != id {
		t.Errorf("overrides changed the service id: %s, was %s", again, id)
	}
	waitFor(t, "min-instances 2 to take effect", 20*time.Second, 100*time.Millisecond, func() (bool, string) {
		n := rt.healthyInstances(t, id)
		return n == 2, fmt.Sprintf("%d healthy instances", n)
	})

	expectStatus(t, rt.request(http.MethodDelete, endpoint, nil, nil), http.StatusOK)
	if ov := rt.serviceSettings(t, id, nil).Overrides.Overrides; len(ov) != 0 {
		t.Errorf("overrides after DELETE = %v, want none", ov)
	}
}
