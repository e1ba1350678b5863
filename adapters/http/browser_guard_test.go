package waiterhttp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/benbjohnson/clock"
)

// wantError checks an error answer's status and that its body says each
// of want.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, want ...string) {
	t.Helper()
	body := rec.Body.String()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body:\n%s", rec.Code, status, body)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("body lacks %q:\n%s", w, body)
		}
	}
}

const tinyToken = `{"token": "tiny", "cpus": 1}`

// A page on another origin can make a browser POST text/plain, a form or
// multipart without a preflight: the API refuses every body that is not
// JSON, and a bodiless call that names such a type.
func TestMutatingAPINeedsJSON(t *testing.T) {
	e := newTestEdge(t)
	for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x"} {
		rec := e.do(t, req{method: "POST", path: "/token", body: tinyToken, headers: map[string]string{"Content-Type": ct}})
		wantError(t, rec, http.StatusUnsupportedMediaType,
			"Unsupported Media Type: POST /token needs Content-Type: application/json (got "+ct+")")
	}
	rec := e.do(t, req{method: "POST", path: "/token", body: tinyToken, bareBody: true})
	wantError(t, rec, http.StatusUnsupportedMediaType, "needs Content-Type: application/json (got none)")
	wantStatus(t, e.do(t, req{path: "/token?token=tiny"}), http.StatusNotFound) // nothing was written

	// JSON from curl (no Origin) passes, with a charset too.
	rec = e.do(t, req{method: "POST", path: "/token", body: tinyToken,
		headers: map[string]string{"Content-Type": "application/json; charset=utf-8"}})
	wantStatus(t, rec, http.StatusOK)

	// Waiter's clients send DELETE, suspend and kill without a body or a
	// Content-Type; that passes, a bodiless form does not.
	d := describe(t)
	e.running(t, d)
	rec = e.do(t, req{method: "POST", path: "/apps/" + d.ID + "/suspend",
		headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	wantError(t, rec, http.StatusUnsupportedMediaType, "/suspend needs Content-Type: application/json")
	wantStatus(t, e.do(t, req{method: "POST", path: "/apps/" + d.ID + "/suspend"}), http.StatusOK)
	wantStatus(t, e.do(t, req{method: "DELETE", path: "/token?token=tiny"}), http.StatusOK)
}

func TestForeignOriginRefused(t *testing.T) {
	e := newTestEdge(t, func(c *Config) { c.CORSAllowedOrigins = []string{"https://UI.example.com:443"} })
	d := describe(t)
	e.running(t, d)
	post := func(origin, host string) *req {
		return &req{method: "POST", path: "/token", body: tinyToken, host: host, headers: map[string]string{"Origin": origin}}
	}
	for _, tc := range []struct{ name, origin, host string }{
		{"another site", "https://evil.example", ""},
		{"another port on the router's host (a local service's page)", "http://127.0.0.1:10005", "127.0.0.1:9091"},
		{"a token's host: a page a service serves through the router", "http://svc.example.org:9091", "svc.example.org:9091"},
		{"an opaque origin (sandboxed frame, file://)", "null", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do(t, *post(tc.origin, tc.host))
			wantError(t, rec, http.StatusForbidden,
				"Cross-origin request not allowed: origin "+tc.origin+" may not POST /token")
			if rec.Header().Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("a refused origin got Access-Control-Allow-Origin %q", rec.Header().Get("Access-Control-Allow-Origin"))
			}
		})
	}
	wantStatus(t, e.do(t, req{path: "/token?token=tiny"}), http.StatusNotFound)

	// A DELETE from a foreign page is refused before it deletes anything.
	rec := e.do(t, req{method: "DELETE", path: "/apps/" + d.ID, headers: map[string]string{"Origin": "https://evil.example"}})
	wantStatus(t, rec, http.StatusForbidden)
	if len(e.router.deleted) != 0 {
		t.Errorf("foreign DELETE deleted %v", e.router.deleted)
	}

	// The router's own page, by any of its names, passes.
	wantStatus(t, e.do(t, *post("http://127.0.0.1:9091", "127.0.0.1:9091")), http.StatusOK)
	wantStatus(t, e.do(t, *post("http://waiter.example", "waiter.example:80")), http.StatusOK)

	// An allowed origin passes and may read the answer.
	rec = e.do(t, *post("https://ui.example.com", ""))
	wantStatus(t, rec, http.StatusOK)
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "https://ui.example.com" ||
		rec.Header().Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("allowed origin: Access-Control-Allow-Origin %q, credentials %q", got,
			rec.Header().Get("Access-Control-Allow-Credentials"))
	}
}

// Suspend and resume answer GET too (as in Waiter), so an image tag on a
// foreign page could suspend a service: the browser's Sec-Fetch-Site
// gives such a request away even without an Origin.
func TestCrossSiteGETSuspendRefused(t *testing.T) {
	e := newTestEdge(t)
	d := describe(t)
	e.running(t, d)
	rec := e.do(t, req{path: "/apps/" + d.ID + "/suspend", headers: map[string]string{"Sec-Fetch-Site": "cross-site"}})
	wantError(t, rec, http.StatusForbidden,
		"Cross-origin request not allowed: origin (none sent; Sec-Fetch-Site: cross-site) may not GET /apps/"+d.ID+"/suspend")
	if _, touched := e.router.suspended[d.ID]; touched {
		t.Errorf("a cross-site GET suspended the service")
	}
	// Typed into the address bar (Sec-Fetch-Site: none) or sent by curl, it works.
	wantStatus(t, e.do(t, req{path: "/apps/" + d.ID + "/suspend", headers: map[string]string{"Sec-Fetch-Site": "none"}}), http.StatusOK)
	wantStatus(t, e.do(t, req{path: "/apps/" + d.ID + "/resume"}), http.StatusOK)
	// Reads are not state changes: a cross-site GET of /apps is answered
	// (the browser, not the router, keeps the page from reading it).
	wantStatus(t, e.do(t, req{path: "/apps", headers: map[string]string{"Sec-Fetch-Site": "cross-site"}}), http.StatusOK)
}

func TestCORSPreflight(t *testing.T) {
	e := newTestEdge(t, func(c *Config) { c.CORSAllowedOrigins = []string{"https://ui.example.com"} })
	pre := func(origin string) req {
		return req{method: "OPTIONS", path: "/token", headers: map[string]string{"Origin": origin,
			"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}}
	}
	rec := e.do(t, pre("https://ui.example.com"))
	wantStatus(t, rec, http.StatusOK)
	h := rec.Header()
	if h.Get("Access-Control-Allow-Origin") != "https://ui.example.com" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
		h.Get("Access-Control-Allow-Headers") != "content-type" || h.Get("Access-Control-Allow-Credentials") != "true" {
		t.Errorf("preflight headers %v", h)
	}
	rec = e.do(t, pre("https://evil.example"))
	wantError(t, rec, http.StatusForbidden, "origin https://evil.example may not OPTIONS /token")
}

func TestCORSAllowedOriginsMustBeOrigins(t *testing.T) {
	for _, bad := range []string{"ui.example.com", "https://ui.example.com/app", "ftp://ui.example.com", "https://"} {
		_, err := New(Config{CORSAllowedOrigins: []string{"https://ok.example", bad}},
			Deps{Router: newFakeRouter(), Store: newMemStore(), Authn: headerUser{}, Entitled: NewSimple(), Clock: clock.NewMock()})
		if err == nil || !strings.Contains(err.Error(), "cors-allowed-origins[1]") {
			t.Errorf("%q: error %v, want one naming cors-allowed-origins[1]", bad, err)
		}
	}
	for in, want := range map[string]string{
		"HTTPS://UI.Example.com:443": "https://ui.example.com",
		"http://ui.example.com:8080": "http://ui.example.com:8080",
		"http://[::1]:80/":           "http://[::1]",
	} {
		if got, err := canonicalOrigin(in); err != nil || got != want {
			t.Errorf("canonicalOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
