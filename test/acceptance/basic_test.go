package acceptance

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// Ports of waiter/integration/waiter/basic_test.clj: the on-the-fly service
// description and its validation (environment_test.go and apps_test.go hold
// the rest).

// test-basic-shell-command: a minimal on-the-fly shell service answers;
// /apps/{id} shows its command, effective parameters only when asked, and
// the default metric group "other".
func TestBasicShellCommand(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	cmd := kitchenCmd("-p $PORT0")
	// make-shell-request: the light defaults, without a metric group.
	h := kitchenHeaders(map[string]string{"x-waiter-name": randName(t), "x-waiter-cmd": cmd, "x-waiter-metric-group": ""})
	rt.cleanupService(t, rt.serviceIDOf(t, h))
	resp := rt.request(http.MethodPost, "/endpoint", h, nil)
	expectStatus(t, resp, http.StatusOK)
	id := resp.serviceID()
	if id == "" {
		t.Fatalf("no service id in the debug headers: %v", resp.Header)
	}

	plain := rt.serviceSettings(t, id, nil)
	if plain.ServiceDescription["cmd"] != cmd {
		t.Errorf("service-description cmd = %v, want %q", plain.ServiceDescription["cmd"], cmd)
	}
	if _, ok := plain.raw["effective-parameters"]; ok {
		t.Errorf("/apps/%s shows effective-parameters without effective-parameters=true", id)
	}

	eff := rt.serviceSettings(t, id, url.Values{"effective-parameters": {"true"}})
	if eff.ServiceDescription["cmd"] != cmd || eff.EffectiveParameters["cmd"] != cmd {
		t.Errorf("cmd = %v / effective %v, want %q", eff.ServiceDescription["cmd"], eff.EffectiveParameters["cmd"], cmd)
	}
	if got := eff.EffectiveParameters["metric-group"]; got != "other" {
		t.Errorf("effective metric-group = %v, want other", got)
	}
	expectEffectiveParameters(t, eff.EffectiveParameters)
	app := findApp(rt.listApps(t, url.Values{"effective-parameters": {"true"}}), id)
	if app == nil {
		t.Fatalf("service %s missing from /apps", id)
	}
	if mg := nested(app, "effective-parameters", "metric-group"); mg != "other" {
		t.Errorf("/apps effective metric-group = %v, want other", mg)
	}
}

// test-basic-service-validation-from-on-the-fly-headers: the description
// of an on-the-fly service is exactly its headers plus run-as-user and
// permitted-user set to the requester.
func TestOnTheFlyServiceDescription(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	// Waiter's list, with backend-proto http: h2c with an h2 health check
	// on port index 0 is a description both implementations refuse.
	params := map[string]any{
		"authentication": "standard", "backend-proto": "http", "cmd": "foo", "cmd-type": "shell",
		"concurrency-level": 10.0, "cpus": 1.0, "distribution-scheme": "simple", "health-check-url": "/status",
		"mem": 512.0, "metric-group": "waiter_test", "name": randName(t), "ports": 2.0, "version": "1",
	}
	h := map[string]string{}
	for k, v := range params {
		h["x-waiter-"+k] = fmt.Sprint(v)
	}
	id := rt.serviceIDOf(t, h)
	rt.cleanupService(t, id)
	user := currentUser(t)
	want := map[string]any{"permitted-user": user, "run-as-user": user}
	for k, v := range params {
		want[k] = v
	}
	if got := rt.serviceSettings(t, id, nil).ServiceDescription; !reflect.DeepEqual(got, want) {
		t.Errorf("service-description\n got %v\nwant %v", got, want)
	}
}

// test-basic-unsupported-command-type.
func TestUnsupportedCommandType(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	resp := rt.kitchen(map[string]string{"x-waiter-name": randName(t), "x-waiter-version": "1",
		"x-waiter-cmd": "false", "x-waiter-cmd-type": "fakecommand"})
	expectStatus(t, resp, http.StatusBadRequest)
	expectBody(t, resp, "Command type fakecommand is not supported")
}

// test-basic-parameters-violates-max-constraint: every parameter with a
// maximum, one above it, is refused with a 400 that names the field, its
// limit and the value given. (Waiter words it "The following fields exceed
// their allowed limits: cpus is 33 but the max allowed is 32".)
func TestParametersViolateMaxConstraint(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	for _, c := range []struct{ param, value, limit string }{
		{"cpus", "33", "32"},
		{"mem", "131073", "131072"},
		{"cmd", "false " + strings.Repeat("x", 1200), "1200"},
	} {
		resp := rt.kitchen(map[string]string{"x-waiter-name": randName(t), "x-waiter-version": "1",
			"x-waiter-cmd": "false", "x-waiter-" + c.param: c.value})
		expectStatus(t, resp, http.StatusBadRequest)
		value := c.value
		if c.param == "cmd" {
			value = fmt.Sprint(len(c.value))
		}
		expectBody(t, resp, c.param, c.limit, value)
		for _, leak := range []string{"panic", "goroutine", "runtime error"} {
			if strings.Contains(resp.Body, leak) {
				t.Errorf("error body leaks internals (%q): %s", leak, resp)
			}
		}
	}
}
