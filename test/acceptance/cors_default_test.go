package acceptance

import (
	"net/http"
	"testing"
)

// A token without cors-rules gets the router's default CORS policy
// (service-cors in the configuration, Waiter's cors-config): the
// preflight is answered by the router with the configured origins,
// methods, headers, credentials and max-age, never reaching (or starting)
// the service; other origins and methods get 403; the real request from
// an allowed origin gets the CORS headers.
func TestServiceCORSDefaultPolicy(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	token := tokenName(t)
	d := kitchenParams()
	d["token"], d["name"], d["permitted-user"], d["run-as-user"] = token, randName(t), "*", currentUser(t)
	rt.cleanupToken(t, token)
	expectStatus(t, rt.postToken(t, d, nil, ""), http.StatusOK)
	id := rt.serviceIDOf(t, map[string]string{"x-waiter-token": token})

	preflight := func(origin, method string) response {
		return anonymous(rt, http.MethodOptions, "/hello-world", map[string]string{"x-waiter-token": token,
			"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "x-app, x-other"})
	}
	r := preflight("https://default.example", "GET")
	expectStatus(t, r, http.StatusOK)
	expectWaiterResponse(t, r)
	for k, want := range map[string]string{"Access-Control-Allow-Origin": "https://default.example",
		"Access-Control-Allow-Methods": "GET", "Access-Control-Allow-Headers": "x-app",
		"Access-Control-Max-Age": "600", "Access-Control-Allow-Credentials": ""} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("preflight %s = %q, want %q", k, got, want)
		}
	}
	expectStatus(t, preflight("https://default.example", "POST"), http.StatusForbidden)
	expectStatus(t, preflight("https://default.example.evil", "GET"), http.StatusForbidden)
	if app := findApp(rt.listApps(t, nil), id); app != nil {
		t.Fatalf("a preflight started the service: %v", app)
	}

	rt.cleanupService(t, id)
	r = rt.request(http.MethodGet, "/hello-world", map[string]string{"x-waiter-token": token, "Origin": "https://default.example"}, nil)
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, "Hello World")
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "https://default.example" {
		t.Errorf("allowed origin's answer: Access-Control-Allow-Origin %q", got)
	}
	r = rt.request(http.MethodGet, "/hello-world", map[string]string{"x-waiter-token": token, "Origin": "https://other.example"}, nil)
	if got := r.Header.Get("Access-Control-Allow-Origin"); r.Status != http.StatusOK || got != "" {
		t.Errorf("another origin's answer: %d, Access-Control-Allow-Origin %q", r.Status, got)
	}
}
