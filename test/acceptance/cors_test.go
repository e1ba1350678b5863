package acceptance

import (
	"net/http"
	"testing"
)

// A browser's CORS preflight to a service is answered by the router from
// the token's cors-rules, without credentials and without starting the
// service; the real request from the allowed origin gets the CORS headers
// along with the backend's answer.
func TestServiceCORSPreflight(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	token := tokenName(t)
	d := kitchenParams()
	d["token"], d["name"], d["permitted-user"], d["run-as-user"] = token, randName(t), "*", currentUser(t)
	d["cors-rules"] = []any{map[string]any{"origin-regex": `https://app\.example`, "methods": []any{"GET", "POST"}}}
	rt.cleanupToken(t, token)
	expectStatus(t, rt.postToken(t, d, nil, ""), http.StatusOK)
	h := map[string]string{"x-waiter-token": token}
	id := rt.serviceIDOf(t, h)

	preflight := func(origin, method string) response {
		return anonymous(rt, http.MethodOptions, "/hello-world", map[string]string{"x-waiter-token": token,
			"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "content-type"})
	}
	r := preflight("https://app.example", "POST")
	expectStatus(t, r, http.StatusOK)
	expectWaiterResponse(t, r)
	for k, want := range map[string]string{"Access-Control-Allow-Origin": "https://app.example",
		"Access-Control-Allow-Methods": "GET, POST", "Access-Control-Allow-Headers": "content-type",
		"Access-Control-Allow-Credentials": "true"} {
		if got := r.Header.Get(k); got != want {
			t.Errorf("preflight %s = %q, want %q", k, got, want)
		}
	}
	expectStatus(t, preflight("https://evil.example", "POST"), http.StatusForbidden)
	expectStatus(t, preflight("https://app.example", "DELETE"), http.StatusForbidden)
	if app := findApp(rt.listApps(t, nil), id); app != nil {
		t.Fatalf("a preflight started the service: %v", app)
	}

	rt.cleanupService(t, id)
	r = rt.request(http.MethodGet, "/hello-world", map[string]string{"x-waiter-token": token, "Origin": "https://app.example"}, nil)
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, "Hello World")
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != "https://app.example" {
		t.Errorf("allowed origin's answer: Access-Control-Allow-Origin %q", got)
	}
}

// A token with https-redirect sends plain-http clients to https: 301 for
// GET, 307 for POST, before authentication and without starting the
// service.
func TestHTTPSRedirectToken(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	token := tokenName(t)
	d := kitchenParams()
	d["token"], d["name"], d["https-redirect"] = token, randName(t), true
	rt.cleanupToken(t, token)
	expectStatus(t, rt.postToken(t, d, nil, ""), http.StatusOK)
	for method, status := range map[string]int{http.MethodGet: http.StatusMovedPermanently, http.MethodPost: http.StatusTemporaryRedirect} {
		r := anonymous(rt, method, "/hello-world?a=b", map[string]string{"host": token})
		expectStatus(t, r, status)
		if loc := r.Header.Get("Location"); loc != "https://"+token+"/hello-world?a=b" {
			t.Errorf("%s Location %q", method, loc)
		}
	}
}
