package acceptance

import (
	"net/http"
	"strings"
	"testing"
)

// Port of token_request_test.clj's test-maintenance-mode.

// test-maintenance-mode: a token in maintenance answers 503 with its
// message (HTML-escaped in HTML), the index says so; out of maintenance
// the service answers.
func TestMaintenanceMode(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	user := currentUser(t)
	token := tokenName(t)
	const message = `&&><<&>a&&<b"<<baa&<`
	description := kitchenParams()
	description["name"], description["permitted-user"], description["run-as-user"] = randName(t), "*", user
	withMaintenance := func(on bool) map[string]any {
		d := map[string]any{"token": token}
		for k, v := range description {
			d[k] = v
		}
		if on {
			d["maintenance"] = map[string]any{"message": message}
		}
		return d
	}
	rt.cleanupToken(t, token)
	h := map[string]string{"x-waiter-token": token}

	expectStatus(t, rt.postToken(t, withMaintenance(true), nil, ""), http.StatusOK)
	if m := nested(tokenBody(t, rt.getToken(token, "")), "maintenance", "message"); m != message {
		t.Errorf("token maintenance message = %v, want %q", m, message)
	}
	indexed := func(t *testing.T, query string) map[string]any {
		t.Helper()
		var list []map[string]any
		r := rt.get("/tokens" + query)
		expectStatus(t, r, http.StatusOK)
		r.json(t, &list)
		for _, e := range list {
			if e["token"] == token {
				return e
			}
		}
		t.Fatalf("/tokens%s does not list %s", query, token)
		return nil
	}
	if e := indexed(t, ""); e["maintenance"] != true {
		t.Errorf("index maintenance = %v, want true", e["maintenance"])
	}
	r := rt.request(http.MethodGet, "/hello-world", h, nil)
	expectStatus(t, r, http.StatusServiceUnavailable)
	expectWaiterResponse(t, r)
	expectBody(t, r, message)
	r = rt.request(http.MethodGet, "/hello-world", map[string]string{"x-waiter-token": token, "accept": "text/html"}, nil)
	expectStatus(t, r, http.StatusServiceUnavailable)
	expectWaiterResponse(t, r)
	expectBody(t, r, "&amp;&amp;&gt;&lt;&lt;&amp;&gt;a&amp;&amp;&lt;b&quot;&lt;&lt;baa&amp;&lt;")

	expectStatus(t, rt.postToken(t, withMaintenance(false), nil, ""), http.StatusOK)
	if e := indexed(t, ""); e["maintenance"] != false {
		t.Errorf("index maintenance = %v, want false", e["maintenance"])
	}
	rt.cleanupService(t, rt.serviceIDOf(t, h))
	r = rt.request(http.MethodGet, "/hello-world", h, nil)
	expectStatus(t, r, http.StatusOK)
	if strings.HasPrefix(r.Header.Get("server"), "waiter/") || r.Body != "Hello World" {
		t.Errorf("want the backend's own Hello World, got %s (server %q)", r, r.Header.Get("server"))
	}

	expectStatus(t, rt.postToken(t, withMaintenance(true), nil, ""), http.StatusOK)
	del := rt.request(http.MethodDelete, "/token", map[string]string{"host": token}, nil)
	expectStatus(t, del, http.StatusOK)
	if e := indexed(t, "?include=deleted&include=metadata"); e["deleted"] != true || e["maintenance"] != true || e["owner"] != user {
		t.Errorf("index entry of the soft-deleted token = %v, want deleted and maintenance true, owner %s", e, user)
	}
}

// expectWaiterResponse is Waiter's assert-waiter-response: the router
// itself answered (server: waiter/<version>).
func expectWaiterResponse(t testing.TB, r response) {
	t.Helper()
	if !strings.HasPrefix(r.Header.Get("server"), "waiter/") {
		t.Errorf("server header %q, want waiter/<version>: the router's own answer", r.Header.Get("server"))
	}
}
