package h1guard

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// namesServer serves the guarded listener with Handler and ConnContext,
// as waiter serve does, and records each request's names by path.
func namesServer(t *testing.T) (addr string, got func(path string) []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string][]string{}
	srv := &http.Server{Handler: Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		seen[r.URL.Path] = HeaderNames(r.Context())
		mu.Unlock()
	})), ReadHeaderTimeout: 5 * time.Second, ConnContext: ConnContext}
	go func() { _ = srv.Serve(Listen(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), func(path string) []string {
		mu.Lock()
		defer mu.Unlock()
		return seen[path]
	}
}

// exchange writes in at once (pipelined) and reads n responses.
func exchange(t *testing.T, addr, in string, n int) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, in); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	for i := range n {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
	}
}

// Pipelined requests on one connection each get their own names, as
// sent; requests without x-waiter-* headers get none, and net/http's own
// OPTIONS * does not shift the count.
func TestHeaderNamesPerRequest(t *testing.T) {
	addr, got := namesServer(t)
	in := "GET /a HTTP/1.1\r\nHost: x\r\nX-Waiter-Env-B: 1\r\nx-waiter-env-a: 2\r\nUser-Agent: u\r\nX-WAITER-CMD: c\r\n\r\n" +
		"GET /plain HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n" +
		"OPTIONS * HTTP/1.1\r\nHost: x\r\nX-Waiter-Token: t\r\n\r\n" +
		"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nx-waiter-metadata-Team: a\r\nx-waiter-metadata-team: b\r\n\r\nhello" +
		"GET /token HTTP/1.1\r\nHost: x\r\nX-Waiter-Token: t\r\n\r\n" +
		"GET /c HTTP/1.1\r\nHost: x\r\n\r\n"
	exchange(t, addr, in, 6)
	for path, want := range map[string][]string{
		"/token": nil, // no env, metadata or param: the order is not needed
		"/a":     {"X-Waiter-Env-B", "x-waiter-env-a", "X-WAITER-CMD"},
		"/plain": nil,
		"/b":     {"x-waiter-metadata-Team", "x-waiter-metadata-team"},
		"/c":     nil,
	} {
		if g := got(path); !slices.Equal(g, want) {
			t.Errorf("%s: names %q, want %q", path, g, want)
		}
	}
}

// A name too long for the guard to keep whole makes the request's names
// unknown rather than wrong.
func TestHeaderNamesTooLong(t *testing.T) {
	addr, got := namesServer(t)
	long := "x-waiter-env-" + strings.Repeat("a", 300)
	exchange(t, addr, "GET /long HTTP/1.1\r\nHost: x\r\nX-Waiter-Env-B: c\r\n"+long+": 1\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\nX-Waiter-Env-Q: 1\r\n\r\n", 2)
	if g := got("/long"); g != nil {
		t.Errorf("names %q of a head with a name not kept whole, want none", g)
	}
	if g := got("/next"); !slices.Equal(g, []string{"X-Waiter-Env-Q"}) {
		t.Errorf("next request's names %q", g)
	}
}

// A request that is not on a guarded connection has no names.
func TestHeaderNamesUnguarded(t *testing.T) {
	var names []string
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { names = HeaderNames(r.Context()) }))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Waiter-Cmd", "c")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if names != nil {
		t.Errorf("names %q", names)
	}
}

// The wrapper costs a request without x-waiter-* headers no allocation.
func TestHandlerPlainRequestAllocates0(t *testing.T) {
	c := &Conn{}
	ctx := ConnContext(context.Background(), c)
	r := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx)
	h := Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	if n := testing.AllocsPerRun(1000, func() { h.ServeHTTP(nil, r) }); n != 0 {
		t.Errorf("%v allocations per plain request", n)
	}
}

// The guard reading heads without env, metadata or param headers (the
// production path names a token) allocates nothing.
func TestGuardTokenHeadAllocates0(t *testing.T) {
	head := []byte("GET / HTTP/1.1\r\nHost: x\r\nX-Waiter-Token: kitchen\r\nX-Waiter-Debug: true\r\n\r\n")
	buf := make([]byte, len(head))
	var g Guard
	n := testing.AllocsPerRun(1000, func() {
		copy(buf, head)
		g.Filter(buf, len(buf))
	})
	if n != 0 || len(g.names.done) != 0 {
		t.Errorf("%v allocations per head, %d heads handed over", n, len(g.names.done))
	}
}

func BenchmarkHandlerPlainRequest(b *testing.B) {
	c := &Conn{}
	r := httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ConnContext(context.Background(), c))
	h := Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(nil, r)
	}
}

// BenchmarkGuardHead is the guard's cost for one plain request head.
func BenchmarkGuardHead(b *testing.B) {
	head := []byte("GET /index.html HTTP/1.1\r\nHost: svc.example.com\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\nX-Cid: abc\r\n\r\n")
	buf := make([]byte, len(head))
	var g Guard
	b.ReportAllocs()
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		copy(buf, head)
		g.Filter(buf, len(buf))
	}
}
