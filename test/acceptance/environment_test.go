package acceptance

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// Ports of basic_test.clj's test-header-environment and test-idle-timeout-mins-zero.

// test-header-environment: x-waiter-env-* become the service's env and
// reach the instance with Waiter's own variables; invalid names are
// refused, every one of them named and no valid one.
func TestHeaderEnvironment(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	t.Run("valid values", func(t *testing.T) {
		t.Parallel()
		h := map[string]string{"x-waiter-name": randName(t), "x-waiter-env-begin_date": "foo",
			"x-waiter-env-end_date": "null", "x-waiter-env-timestamp": "20160713201333949",
			"x-waiter-env-time2": "201607132013"}
		rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(h)))
		resp := rt.kitchenAt(http.MethodPost, "/environment", h, nil)
		expectStatus(t, resp, http.StatusOK)
		id := resp.serviceID()
		var env map[string]string
		resp.json(t, &env)
		for _, k := range []string{"HOME", "LOGNAME", "USER", "WAITER_CLUSTER", "WAITER_CONCURRENCY_LEVEL",
			"WAITER_CPUS", "WAITER_MEM_MB", "WAITER_SANDBOX", "WAITER_SERVICE_ID", "WAITER_USERNAME",
			"BEGIN_DATE", "END_DATE", "TIME2", "TIMESTAMP"} {
			if _, ok := env[k]; !ok {
				t.Errorf("instance environment lacks %s: %v", k, env)
			}
		}
		if env["WAITER_SERVICE_ID"] != id {
			t.Errorf("WAITER_SERVICE_ID = %q, want %q", env["WAITER_SERVICE_ID"], id)
		}
		if env["WAITER_CLUSTER"] != rt.id {
			t.Errorf("WAITER_CLUSTER = %q, want the router's cluster %q", env["WAITER_CLUSTER"], rt.id)
		}
		want := map[string]any{"BEGIN_DATE": "foo", "END_DATE": "null", "TIME2": "201607132013", "TIMESTAMP": "20160713201333949"}
		if got := rt.serviceSettings(t, id, nil).ServiceDescription["env"]; !reflect.DeepEqual(got, want) {
			t.Errorf("service-description env = %v, want %v", got, want)
		}
	})
	t.Run("invalid values", func(t *testing.T) {
		t.Parallel()
		resp := rt.kitchen(map[string]string{"accept": "application/json", "x-waiter-name": randName(t),
			"x-waiter-env-begin-date": "foo", "x-waiter-env-1_invalid": "20160713201333949",
			"x-waiter-env-123456": "20160713201333949", "x-waiter-env-end-date": "null",
			"x-waiter-env-foo": "bar", "x-waiter-env-fee_fie": "fum"})
		expectStatus(t, resp, http.StatusBadRequest)
		var body struct {
			Error struct {
				Message string `json:"message"`
			} `json:"waiter-error"`
		}
		resp.json(t, &body)
		msg := body.Error.Message
		for _, k := range []string{"1_INVALID", "123456", "BEGIN-DATE", "END-DATE"} {
			if !strings.Contains(msg, k) {
				t.Errorf("the error does not name the invalid variable %s: %q", k, msg)
			}
		}
		for _, k := range []string{"foo", "fee_fie"} {
			if strings.Contains(strings.ToLower(msg), k) {
				t.Errorf("the error names the valid variable %s: %q", k, msg)
			}
		}
	})
}

// test-idle-timeout-mins-zero: refused in an on-the-fly header (a service
// nobody would ever collect), allowed in a token.
func TestIdleTimeoutMinsZero(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	t.Run("on-the-fly", func(t *testing.T) {
		t.Parallel()
		resp := rt.kitchen(map[string]string{"x-waiter-idle-timeout-mins": "0", "x-waiter-name": randName(t)})
		expectStatus(t, resp, http.StatusBadRequest)
		expectBody(t, resp, "idle-timeout-mins")
	})
	t.Run("token", func(t *testing.T) {
		t.Parallel()
		token := "token-" + randName(t)
		user := currentUser(t)
		data := kitchenParams()
		for k, v := range map[string]any{"idle-timeout-mins": 0, "name": randName(t), "permitted-user": user,
			"run-as-user": user, "token": token} {
			data[k] = v
		}
		expectStatus(t, rt.postToken(t, data, nil, ""), http.StatusOK)
		rt.cleanupToken(t, token)
		h := map[string]string{"x-waiter-token": token, "x-waiter-debug": "true"}
		rt.cleanupService(t, rt.serviceIDOf(t, h))
		resp := rt.request(http.MethodGet, "/status", h, nil)
		expectStatus(t, resp, http.StatusOK)
		if got := rt.serviceSettings(t, resp.serviceID(), nil).ServiceDescription["idle-timeout-mins"]; got != 0.0 {
			t.Errorf("idle-timeout-mins = %v, want 0", got)
		}
	})
}
