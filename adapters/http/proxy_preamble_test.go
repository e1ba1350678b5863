package waiterhttp

import (
	"net/http"
	"testing"
)

func TestHTTPSRedirect(t *testing.T) {
	e := newTestEdge(t)
	e.backend(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	if _, _, err := e.store.PutToken("secure", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1",
		"https-redirect": true}, "", testUser, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	for method, status := range map[string]int{"GET": 301, "HEAD": 301, "POST": 307, "DELETE": 307} {
		rec := e.do(t, req{method: method, path: "/a/b?x=1", host: "svc.example:9091",
			headers: map[string]string{"x-waiter-token": "secure"}})
		wantStatus(t, rec, status)
		if loc := rec.Header().Get("Location"); loc != "https://svc.example/a/b?x=1" {
			t.Errorf("%s Location %q", method, loc)
		}
	}
	if len(e.router.admitted) != 0 {
		t.Fatalf("a redirected request asked for an instance")
	}
	// Behind a TLS-terminating balancer the request is already https.
	rec := e.do(t, req{path: "/a", headers: map[string]string{"x-waiter-token": "secure", "X-Forwarded-Proto": "https"}})
	wantStatus(t, rec, 200)
}
