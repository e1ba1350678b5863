package waiterhttp

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/valyala/fasthttp"
)

// Proxied answers stay their own while forward and proxy reuse their
// records: no header or body of one answer shows through in the next,
// with or without a body from the client.
func TestProxiedAnswersStayTheirOwn(t *testing.T) {
	host, port := pathBackend(t)
	srv, _ := kitProxy(t, host, port)
	conn := srv.ConnContext(context.Background()) // as the fast front serves a connection

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
		srv.RequestDone(conn) // as internal/h1serve does once the response is written
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
	for range 3 {
		check(send(http.MethodGet, "/a", ""), "/a", "")
		check(send(http.MethodGet, "/b", ""), "/b", "")
		check(send(http.MethodPost, "/c", "payload"), "/c", "payload")
	}
}

// A forwarding record goes back to the pool only when nothing can touch
// it once forward has returned.
func TestForwardingReusable(t *testing.T) {
	get, _ := http.NewRequest(http.MethodGet, "http://x/", http.NoBody)
	post, _ := http.NewRequest(http.MethodPost, "http://x/", strings.NewReader("payload"))
	armed := &forwarding{}
	armed.socket = watchdog{clk: clock.New(), cancel: &armed.ctx}
	armed.socket.arm(time.Hour)
	armed.socket.disable()
	materialized := &forwarding{}
	materialized.ctx.parent = context.Background()
	_ = materialized.ctx.Done()
	open := &forwarding{}
	open.answer.req = &fasthttp.Request{}
	for _, c := range []struct {
		name string
		r    *http.Request
		fw   *forwarding
		fast bool
		want bool
	}{
		{"fast, no body", get, &forwarding{}, true, true},
		{"net/http's transport", get, &forwarding{}, false, false},
		{"a body from the client", post, &forwarding{}, true, false},
		{"a watchdog timer made", get, armed, true, false},
		{"a real context made", get, materialized, true, false},
		{"an answer not closed", get, open, true, false},
	} {
		c.fw.req, c.fw.fast = c.r, c.fast
		if got := c.fw.reusable(); got != c.want {
			t.Errorf("%s: reusable %v, want %v", c.name, got, c.want)
		}
	}
	materialized.ctx.cancel(nil)
}

// pathBackend is a keep-alive backend answering "answer to <path>
// <body>" with a header X-Only-<path>.
func pathBackend(t *testing.T) (string, int) {
	return fasthttpBackend(t, func(ctx *fasthttp.RequestCtx) {
		path := string(ctx.Path())
		ctx.Response.Header.Set("X-Only-"+strings.TrimPrefix(path, "/"), "1")
		ctx.SetBodyString("answer to " + path + " " + string(ctx.PostBody()))
	})
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

// Once its request is done (RequestDone), a connection's context keeps
// nothing of it: not its correlation id, which is cut from a shared arena
// whose chunk an idle connection would keep alive.
func TestRequestDoneDropsTheRequestInfo(t *testing.T) {
	host, port := pathBackend(t)
	srv, _ := kitProxy(t, host, port)
	conn := srv.ConnContext(context.Background())
	r, _ := http.NewRequestWithContext(conn, http.MethodGet, "http://127.0.0.1:9091/a", http.NoBody)
	r.RequestURI = "/a"
	r.Header.Set("x-waiter-token", "kit")
	w := &benchRecorder{h: http.Header{}}
	srv.ServeHTTP(w, r)
	if w.code != http.StatusOK {
		t.Fatalf("status %d", w.code)
	}
	ic := conn.(*infoCtx)
	if ic.ri.cid == "" {
		t.Fatal("no cid while the request runs")
	}
	srv.RequestDone(conn)
	if ic.ri.cid != "" || ic.ri.proxied != nil {
		t.Errorf("after RequestDone the connection keeps the request's info: cid %q, proxied %v", ic.ri.cid, ic.ri.proxied)
	}
}
