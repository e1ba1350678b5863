package waiterhttp

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// corsEdge is an edge with a backend that counts what reaches it and a
// token "web" whose cors-rules allow https://app.example to GET and POST
// under /api/.
func corsEdge(t *testing.T, mutate ...func(*Config)) (*testEdge, *atomic.Int32) {
	t.Helper()
	e := newTestEdge(t, mutate...)
	var seen atomic.Int32
	e.backend(t, func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		_, _ = w.Write([]byte("backend " + r.Method))
	})
	rules := []any{map[string]any{"origin-regex": `https://app\.example`, "target-path-regex": "/api/.*",
		"methods": []any{"GET", "POST"}}}
	for name, extra := range map[string]map[string]any{"web": {"cors-rules": rules}, "plain": {}} {
		data := map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1"}
		for k, v := range extra {
			data[k] = v
		}
		if _, _, err := e.store.PutToken(name, data, "", testUser, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return e, &seen
}

func preflight(token, origin, method, path string) req {
	return req{method: http.MethodOptions, path: path, headers: map[string]string{"x-waiter-token": token,
		"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "x-custom"}}
}

func TestServicePreflightFromTokenRules(t *testing.T) {
	e, seen := corsEdge(t)
	rec := e.do(t, preflight("web", "https://app.example", "POST", "/api/items"))
	wantStatus(t, rec, 200)
	h := rec.Header()
	for k, want := range map[string]string{"Server": "waiter/" + e.srv.cfg.Version, "Access-Control-Allow-Origin": "https://app.example",
		"Access-Control-Allow-Credentials": "true", "Access-Control-Allow-Methods": "GET, POST",
		"Access-Control-Allow-Headers": "x-custom", "Access-Control-Max-Age": "3600"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for name, r := range map[string]req{
		"foreign origin":      preflight("web", "https://evil.example", "POST", "/api/items"),
		"origin as a prefix":  preflight("web", "https://app.example.evil", "POST", "/api/items"),
		"method not in rule":  preflight("web", "https://app.example", "DELETE", "/api/items"),
		"path outside rule":   preflight("web", "https://app.example", "GET", "/admin"),
		"token without rules": preflight("plain", "https://app.example", "GET", "/api/items"),
	} {
		rec := e.do(t, r)
		wantStatus(t, rec, http.StatusForbidden)
		if rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: refused preflight still allows the origin", name)
		}
	}
	if n := seen.Load(); n != 0 {
		t.Fatalf("the backend saw %d preflights, want none", n)
	}
	if len(e.router.admitted) != 0 {
		t.Fatalf("a preflight asked for an instance %d times", len(e.router.admitted))
	}
}

func TestServiceActualRequestGetsCORSHeaders(t *testing.T) {
	e, seen := corsEdge(t)
	rec := e.do(t, req{path: "/api/items", headers: map[string]string{"x-waiter-token": "web", "Origin": "https://app.example"}})
	wantStatus(t, rec, 200)
	if rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example" || rec.Header().Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("allowed origin's answer lacks CORS headers: %v", rec.Header())
	}
	rec = e.do(t, req{path: "/api/items", headers: map[string]string{"x-waiter-token": "web", "Origin": "https://evil.example"}})
	wantStatus(t, rec, 200) // the browser, not the router, keeps the answer from the page
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("foreign origin's answer carries Access-Control-Allow-Origin")
	}
	if seen.Load() != 2 {
		t.Fatalf("backend saw %d requests, want 2", seen.Load())
	}
}

func TestServiceDefaultCORSPolicy(t *testing.T) {
	e, seen := corsEdge(t, func(c *Config) {
		c.ServiceCORS = ServiceCORS{AllowedOrigins: []string{`https://[a-z]+\.corp\.example`}, AllowedMethods: []string{"get"},
			AllowedHeaders: []string{"x-a", "x-b"}, MaxAge: 90 * time.Second}
	})
	rec := e.do(t, preflight("plain", "https://wiki.corp.example", "GET", "/x"))
	wantStatus(t, rec, 200)
	h := rec.Header()
	if h.Get("Access-Control-Allow-Methods") != "GET" || h.Get("Access-Control-Allow-Headers") != "x-a, x-b" ||
		h.Get("Access-Control-Max-Age") != "90" || h.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("default policy headers: %v", h)
	}
	wantStatus(t, e.do(t, preflight("plain", "https://wiki.corp.example", "PUT", "/x")), http.StatusForbidden)
	// A token's own rules replace the default policy.
	wantStatus(t, e.do(t, preflight("web", "https://wiki.corp.example", "GET", "/api/x")), http.StatusForbidden)
	if seen.Load() != 0 {
		t.Fatalf("backend saw %d preflights", seen.Load())
	}
}

func TestServiceCORSBadDefaultPolicy(t *testing.T) {
	_, err := New(Config{ServiceCORS: ServiceCORS{AllowedOrigins: []string{"("}}},
		Deps{Router: newFakeRouter(), Store: newMemStore(), Authn: headerUser{}, Entitled: NewSimple(testUser), Clock: newTestEdge(t).clock})
	if err == nil {
		t.Fatal("an origin pattern that does not compile was accepted")
	}
}
