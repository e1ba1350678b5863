//go:build !race

// The race detector's runtime allocates for its own bookkeeping and has
// sync.Pool drop items at random, so an allocation count means nothing
// under it; make test runs this file in its plain pass.

package waiterhttp

import (
	"context"
	"net/http"
	"testing"

	"github.com/valyala/fasthttp"
)

// A plain proxied GET allocates nothing in the steady state: its records
// are the connection's, its correlation id and the answer's header values
// are cut from pooled arenas (internal/strarena), and the canonical name
// of an unusual answer header is interned (internal/headername). The backend, in the same
// process, allocates nothing either: testing.AllocsPerRun counts every
// goroutine's.
func TestProxiedGetAllocations(t *testing.T) {
	host, port := fasthttpBackend(t, func(ctx *fasthttp.RequestCtx) {
		ctx.Response.Header.Set("x-kitchen-thing", "1") // no canonical constant for it
		ctx.Response.Header.Set("Content-Type", "text/plain")
		ctx.SetBodyString("hello world")
	})
	if n := proxiedAllocs(t, host, port, map[string]string{"x-waiter-token": "kit"}, func(w *benchWriter) {
		if got := w.h.Get("X-Kitchen-Thing"); got != "1" {
			t.Fatalf("X-Kitchen-Thing %q, want 1 (headers %v)", got, w.h)
		}
	}); n > 0 {
		t.Errorf("%.1f allocations per proxied GET, want none", n)
	}
}

// A plain GET describing its service on the fly, in x-waiter-* headers,
// allocates nothing in the steady state either: the description of
// headers seen before is cached (desccache.go).
func TestProxiedOnTheFlyGetAllocations(t *testing.T) {
	host, port := fasthttpBackend(t, func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString("hello world") })
	if n := proxiedAllocs(t, host, port, map[string]string{"x-waiter-cmd": "kitchen -p $PORT0", "x-waiter-cmd-type": "shell",
		"x-waiter-cpus": "1", "x-waiter-mem": "256", "x-waiter-version": "v1", "x-waiter-name": "bench"}, nil); n > 0 {
		t.Errorf("%.1f allocations per proxied GET described on the fly, want none", n)
	}
}

// proxiedAllocs is the allocations per GET /a with headers, served as
// the fast front serves a connection's requests (ConnContext,
// RequestDone), by a Server whose fake router grants the backend at
// host:port; check sees the first answer, which must be "hello world".
func proxiedAllocs(t *testing.T, host string, port int, headers map[string]string, check func(*benchWriter)) float64 {
	t.Helper()
	srv, router := kitProxy(t, host, port)
	conn := srv.ConnContext(context.Background())
	r, _ := http.NewRequestWithContext(conn, http.MethodGet, "http://127.0.0.1:9091/a", http.NoBody)
	r.RequestURI = "/a"
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	w := &benchWriter{h: http.Header{}}
	// The answer's header is the client's until RequestDone, which takes
	// its slices back.
	srv.ServeHTTP(w, r)
	if w.code != http.StatusOK || w.n != len("hello world") {
		t.Fatalf("status %d, %d bytes (headers %v)", w.code, w.n, w.h)
	}
	if check != nil {
		check(w)
	}
	srv.RequestDone(conn)
	return testing.AllocsPerRun(500, func() {
		w.reset()
		srv.ServeHTTP(w, r)
		srv.RequestDone(conn)
		router.mu.Lock()
		router.admitted, router.released = router.admitted[:0], router.released[:0]
		router.mu.Unlock()
	})
}
