package acceptance

import (
	"net/http"
	"reflect"
	"testing"
)

// Port of token_request_test.clj's test-token-param-support.

// test-token-param-support: allowed-params lets x-waiter-param-* set
// environment variables; anything else is refused.
func TestTokenParamSupport(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	token := randName(t)
	binary := bins.kitchen
	description := map[string]any{"allowed-params": []string{"FAA", "FEE", "FII", "FOO", "FUU"},
		"cmd": "$BINARY -p $PORT0", "cmd-type": "shell", "env": map[string]any{"BINARY": binary, "FEE": "FIE", "FOO": "BAR"},
		"name": randName(t), "version": "does-not-matter"}
	withToken := func(name string) map[string]any {
		d := map[string]any{"token": name}
		for k, v := range description {
			d[k] = v
		}
		return d
	}
	rt.cleanupToken(t, token)
	expectStatus(t, rt.postToken(t, withToken(token), nil, "update-mode=admin"), http.StatusOK)
	noParams := withToken(token + ".1")
	delete(noParams, "allowed-params")
	rt.cleanupToken(t, token+".1")
	expectStatus(t, rt.postToken(t, noParams, nil, "update-mode=admin"), http.StatusOK)

	request := func(extra map[string]string) response {
		return rt.kitchenAt(http.MethodPost, "/environment", extra, nil)
	}
	for _, c := range []struct {
		name  string
		extra map[string]string
	}{
		{"param not allowed", map[string]string{"x-waiter-param-my_variable": "value-1", "x-waiter-token": token}},
		{"empty allowed-params header", map[string]string{"x-waiter-allowed-params": "", "x-waiter-param-my_variable": "value-1", "x-waiter-token": token}},
		{"token without allowed-params", map[string]string{"x-waiter-param-my_variable": "value-1", "x-waiter-token": token + ".1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := request(c.extra)
			expectStatus(t, r, http.StatusBadRequest)
			expectBody(t, r, "Some params cannot be configured")
		})
	}

	ids := map[string]bool{}
	for _, c := range []struct {
		extra map[string]string
		env   map[string]any
	}{
		{map[string]string{"x-waiter-token": token}, map[string]any{"BINARY": binary, "FEE": "FIE", "FOO": "BAR"}},
		{map[string]string{"x-waiter-param-fee": "value-1p", "x-waiter-token": token},
			map[string]any{"BINARY": binary, "FEE": "value-1p", "FOO": "BAR"}},
		{map[string]string{"x-waiter-allowed-params": "FEE,FII,FOO", "x-waiter-param-fee": "value-1p", "x-waiter-token": token},
			map[string]any{"BINARY": binary, "FEE": "value-1p", "FOO": "BAR"}},
		{map[string]string{"x-waiter-allowed-params": "FEE,FOO", "x-waiter-param-fee": "value-1p", "x-waiter-token": token},
			map[string]any{"BINARY": binary, "FEE": "value-1p", "FOO": "BAR"}},
		{map[string]string{"x-waiter-param-fee": "value-1p", "x-waiter-param-foo": "value-2p", "x-waiter-token": token},
			map[string]any{"BINARY": binary, "FEE": "value-1p", "FOO": "value-2p"}},
	} {
		rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(c.extra)))
		r := request(c.extra)
		expectStatus(t, r, http.StatusOK)
		id := r.serviceID()
		ids[id] = true
		if got := rt.serviceSettings(t, id, nil).ServiceDescription["env"]; !reflect.DeepEqual(got, c.env) {
			t.Errorf("%v: env = %v, want %v", c.extra, got, c.env)
		}
		var env map[string]string
		r.json(t, &env)
		for k, v := range c.env {
			if env[k] != v {
				t.Errorf("%v: the instance's %s = %q, want %q", c.extra, k, env[k], v)
			}
		}
	}
	if len(ids) != 5 {
		t.Errorf("%d distinct services, want 5: %v", len(ids), ids)
	}
}
