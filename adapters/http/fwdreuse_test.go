package waiterhttp

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// The requests of one connection (ConnContext) reuse its forwarding and
// resolved records, and each answer is its own: no header or body of the
// one before shows through. A request with a body from the client leaves
// no forwarding record to reuse (the exchange may still read the body).
func TestConnectionReusesItsRecords(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	backend := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		path := string(ctx.Path())
		ctx.Response.Header.Set("X-Only-"+strings.TrimPrefix(path, "/"), "1")
		ctx.SetBodyString("answer to " + path + " " + string(ctx.PostBody()))
	}}
	go func() { _ = backend.Serve(ln) }()
	t.Cleanup(func() { _ = backend.Shutdown() })
	host, portStr, _ := net.SplitHostPort(ln.Addr().String())
	port, _ := strconv.Atoi(portStr)

	srv, _ := kitProxy(t, host, port)
	conn := srv.ConnContext(context.Background())
	scratch := &conn.(*infoCtx).scratch

	send := func(method, path, body string) *benchRecorder {
		t.Helper()
		r, _ := http.NewRequestWithContext(conn, method, "http://127.0.0.1:9091"+path, strings.NewReader(body))
		if body == "" {
			r.Body = http.NoBody
		}
		r.RequestURI = path
		r.Header.Set("x-waiter-token", "kit")
		w := &benchRecorder{h: http.Header{}}
		srv.ServeHTTP(w, r)
		if w.code != http.StatusOK {
			t.Fatalf("%s %s: status %d: %s", method, path, w.code, w.body.String())
		}
		return w
	}
	check := func(w *benchRecorder, path, body string) {
		t.Helper()
		if want := "answer to " + path + " " + body; w.body.String() != want {
			t.Errorf("body %q, want %q", w.body.String(), want)
		}
		for k := range w.h {
			if strings.HasPrefix(k, "X-Only-") && k != http.CanonicalHeaderKey("X-Only-"+strings.TrimPrefix(path, "/")) {
				t.Errorf("answer to %s has %s, another answer's header", path, k)
			}
		}
	}

	check(send(http.MethodGet, "/a", ""), "/a", "")
	fw, rs := scratch.fw, scratch.rs
	if fw == nil || rs == nil {
		t.Fatalf("after a plain GET the connection keeps forwarding %p and resolved %p, want both", fw, rs)
	}
	check(send(http.MethodGet, "/b", ""), "/b", "")
	if scratch.fw != fw || scratch.rs != rs {
		t.Errorf("the second request used new records (forwarding %p then %p, resolved %p then %p)", fw, scratch.fw, rs, scratch.rs)
	}
	check(send(http.MethodPost, "/c", "payload"), "/c", "payload")
	if scratch.fw != nil {
		t.Error("a request with a body left its forwarding record for the next request")
	}
	if scratch.rs != rs {
		t.Error("a request with a body did not give its resolved record back")
	}
	check(send(http.MethodGet, "/a", ""), "/a", "")
	if scratch.fw == nil {
		t.Error("no forwarding record kept after the next plain GET")
	}
}

// benchRecorder is benchWriter keeping the body.
type benchRecorder struct {
	h    http.Header
	code int
	body strings.Builder
}

func (w *benchRecorder) Header() http.Header { return w.h }
func (w *benchRecorder) WriteHeader(c int) {
	if w.code == 0 {
		w.code = c
	}
}
func (w *benchRecorder) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.body.Write(p)
}
func (w *benchRecorder) EnableFullDuplex() error { return nil }
