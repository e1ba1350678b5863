//go:build !race

// The race detector's runtime allocates for its own bookkeeping and has
// sync.Pool drop items at random, so an allocation count means nothing
// under it; make test runs this file in its plain pass.

package waiterhttp

import (
	"context"
	"net/http"
	"testing"
)

// A plain proxied GET allocates neither record in the steady state: what
// is left per request is the correlation id, the answer's header values
// (one string for all), the fake router's grant, and the canonical form
// of each answer header name outside commonHeaderName's (pathBackend's
// two); the records would be two more.
func TestProxiedGetAllocations(t *testing.T) {
	host, port := pathBackend(t)
	srv, router := kitProxy(t, host, port)
	conn := srv.ConnContext(context.Background())
	r, _ := http.NewRequestWithContext(conn, http.MethodGet, "http://127.0.0.1:9091/a", http.NoBody)
	r.RequestURI = "/a"
	r.Header.Set("x-waiter-token", "kit")
	w := &benchWriter{h: http.Header{}}
	n := testing.AllocsPerRun(200, func() {
		w.reset()
		srv.ServeHTTP(w, r)
		srv.RequestDone(conn)
		router.mu.Lock()
		router.admitted, router.released = router.admitted[:0], router.released[:0]
		router.mu.Unlock()
	})
	if w.code != http.StatusOK {
		t.Fatalf("status %d", w.code)
	}
	if n > 5 {
		t.Errorf("%.1f allocations per proxied GET, want at most 5", n)
	}
}
