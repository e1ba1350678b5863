package serve

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// startFrontRouter starts a router and returns its fast front.
func startFrontRouter(t *testing.T, backend http.Handler, mutate ...func(*config.Config)) (*testRouter, *front) {
	t.Helper()
	built := make(chan *front, 1)
	onFront = func(f *front) { built <- f }
	t.Cleanup(func() { onFront = nil }) // after the router stops
	rt := startRouter(t, backend, mutate...)
	// Run builds its front before it answers anything.
	if code, _ := read(t, rt.call(t, http.MethodGet, "/status", nil)); code != http.StatusOK {
		t.Fatalf("/status: %d", code)
	}
	select {
	case fr := <-built:
		return rt, fr
	default:
		return rt, nil
	}
}

// goroutineFront turns the event loops off: the test is about the
// goroutine front (internal/h1serve on goroutines, parked connections),
// which the loops otherwise keep for what they hand off.
func goroutineFront(c *config.Config) { c.EventLoop = false }

// conn is one raw client connection.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, host string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

func (rc *rawConn) send(req string) {
	rc.t.Helper()
	if _, err := io.WriteString(rc.c, req); err != nil {
		rc.t.Fatal(err)
	}
}

// answer reads one answer: status, body and whether the router closes.
func (rc *rawConn) answer(method string) (int, string, bool) {
	rc.t.Helper()
	resp, err := http.ReadResponse(rc.br, &http.Request{Method: method})
	if err != nil {
		rc.t.Fatalf("reading the answer: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, string(b), resp.Close
}

var frontSvc = kitchenFields("front")

func echoBackend(seen *[]string, mu *sync.Mutex) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			// A slow service: the fast path starts watching the client.
			time.Sleep(100 * time.Millisecond)
		}
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		*seen = append(*seen, r.Method+" "+r.URL.RequestURI()+" "+string(body))
		mu.Unlock()
		_, _ = io.WriteString(w, "echo "+r.URL.RequestURI()+" "+string(body))
	})
}

// The smuggling shapes are refused on a connection the fast path is
// serving too: the guard checks the head before the fast path sees it,
// and hands it to net/http's server, which refuses it as before; the
// request hidden in it never reaches an instance.
func TestFastFrontSmugglingRefused(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	rt, fr := startFrontRouter(t, echoBackend(&seen, &mu))
	host := strings.TrimPrefix(rt.url, "http://")
	smuggled := "GET /smuggled HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + "\r\n"
	// parser: refused by net/http's parser (both paths use it), not by the guard.
	for _, c := range []struct {
		name, head, body string
		want             int
		parser           bool
	}{
		{"Content-Length and Transfer-Encoding", "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n" + smuggled, 400, false},
		{"two different Content-Lengths", "Content-Length: 4\r\nContent-Length: 60\r\n", "abcd" + smuggled, 400, false},
		{"two equal Content-Lengths", "Content-Length: 4\r\nContent-Length: 4\r\n", "abcd" + smuggled, 400, false},
		{"obs-fold continuation line", "X-Folded: a\r\n b\r\nContent-Length: 4\r\n", "abcd" + smuggled, 400, false},
		{"obs-fold of Transfer-Encoding", "Transfer-Encoding:\r\n chunked\r\nContent-Length: 4\r\n", "0\r\n\r\n" + smuggled, 400, false},
		{"negative Content-Length", "Content-Length: -4\r\n", "abcd" + smuggled, 400, true},
		{"space before the colon", "Content-Length : 4\r\n", "abcd" + smuggled, 400, true},
		{"chunked not last", "Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n" + smuggled, 501, false},
		{"bad chunk size", "Transfer-Encoding: chunked\r\n", "zz\r\nabcd\r\n0\r\n\r\n" + smuggled, 400, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc := dialRaw(t, host)
			fastBefore := fr.fastHeads.Load()
			rc.send("POST /first HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + "Content-Length: 2\r\n\r\nhi")
			if status, body, _ := rc.answer("POST"); status != 200 || body != "echo /first hi" {
				t.Fatalf("the plain request: %d %q", status, body)
			}
			if fr.fastHeads.Load() != fastBefore+1 {
				t.Fatalf("the plain request did not take the fast path")
			}
			mu.Lock()
			before := len(seen)
			mu.Unlock()
			rc.send("POST /upload HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + c.head + "\r\n" + c.body)
			status, _, closed := rc.answer("POST")
			if status != c.want || !closed {
				t.Errorf("status %d (closing %v), want %d and the connection closed", status, closed, c.want)
			}
			rest, _ := io.ReadAll(rc.br)
			if strings.Contains(string(rest), "HTTP/1.1") {
				t.Errorf("a second answer: the hidden request was served: %q", rest)
			}
			if fr.fastHeads.Load() != fastBefore+1 && !c.parser {
				t.Errorf("the fast path took a head the guard refuses")
			}
			mu.Lock()
			defer mu.Unlock()
			for _, s := range seen[before:] {
				if strings.Contains(s, "/smuggled") || strings.Contains(s, "/upload") && c.want != 400 {
					t.Errorf("the instance received %q", s)
				}
			}
		})
	}
}

// A connection the fast path serves is handed to net/http's server at the
// first request the fast path does not take (an API call here), which
// serves it from then on; pipelined requests are answered in order.
func TestFastFrontHandsOff(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	rt, fr := startFrontRouter(t, echoBackend(&seen, &mu))
	host := strings.TrimPrefix(rt.url, "http://")
	handoffs := fr.handoffs.Load()
	rc := dialRaw(t, host)
	get := func(path string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + "\r\n"
	}
	rc.send(get("/one") + get("/two?x=1"))
	for _, want := range []string{"echo /one ", "echo /two?x=1 "} {
		if status, body, _ := rc.answer("GET"); status != 200 || body != want {
			t.Fatalf("got %d %q, want 200 %q", status, body, want)
		}
	}
	// A request long enough for the fast path to watch the client, then
	// more on the same connection.
	for _, path := range []string{"/slow", "/after"} {
		rc.send(get(path))
		if status, body, _ := rc.answer("GET"); status != 200 || body != "echo "+path+" " {
			t.Fatalf("got %d %q, want 200 %q", status, body, "echo "+path+" ")
		}
	}
	if n := fr.fastHeads.Load(); n != 4 {
		t.Fatalf("fast heads %d, want 4", n)
	}
	// An API call, split across writes, then a proxied request again.
	rc.send("GET /sta")
	rc.send("tus HTTP/1.1\r\nHost: " + host + "\r\n\r\n" + get("/three"))
	if status, body, _ := rc.answer("GET"); status != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("/status after hand-off: %d %q", status, body)
	}
	if status, body, _ := rc.answer("GET"); status != 200 || body != "echo /three " {
		t.Fatalf("proxied after hand-off: %d %q", status, body)
	}
	if fr.handoffs.Load() != handoffs+1 || fr.fastHeads.Load() != 4 {
		t.Fatalf("handoffs %d, fast heads %d; want 1 and 4", fr.handoffs.Load()-handoffs, fr.fastHeads.Load())
	}
}

// A percent-escaped path, HTTP/1.0, Expect and a body larger than the
// fast path takes all go to net/http and are answered as before.
func TestFastFrontLeavesOthers(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	rt, fr := startFrontRouter(t, echoBackend(&seen, &mu))
	host := strings.TrimPrefix(rt.url, "http://")
	handoffs := fr.handoffs.Load()
	big := strings.Repeat("b", 100<<10)
	for _, c := range []struct{ name, req, want string }{
		{"escaped", "GET /a%20b HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + "\r\n", "echo /a%20b "},
		{"HTTP/1.0", "GET /old HTTP/1.0\r\nHost: " + host + "\r\n" + frontSvc + "\r\n", "echo /old "},
		{"large body", "POST /big HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + "Content-Length: 102400\r\n\r\n" + big, "echo /big " + big},
		// The service id depends on env names as sent: net/http's guarded
		// connection hands them over, the fast path does not.
		{"env by headers", "GET /env HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + "X-Waiter-Env-Mixed_Case: 1\r\n\r\n", "echo /env "},
	} {
		rc := dialRaw(t, host)
		rc.send(c.req)
		if status, body, _ := rc.answer("GET"); status != 200 || body != c.want {
			t.Errorf("%s: %d %.60q, want 200 %.60q", c.name, status, body, c.want)
		}
	}
	if n := fr.fastHeads.Load(); n != 0 {
		t.Errorf("fast heads %d, want 0", n)
	}
	if n := fr.handoffs.Load() - handoffs; n != 4 {
		t.Errorf("handoffs %d, want 4", n)
	}
}

// fast-http1: false serves everything with net/http's server.
func TestFastFrontOff(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	rt, fr := startFrontRouter(t, echoBackend(&seen, &mu), func(c *config.Config) { c.FastHTTP1 = false })
	if fr != nil {
		t.Fatal("a fast front was built with fast-http1 off")
	}
	host := strings.TrimPrefix(rt.url, "http://")
	rc := dialRaw(t, host)
	rc.send("GET /x HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + "\r\n")
	if status, body, _ := rc.answer("GET"); status != 200 || body != "echo /x " {
		t.Fatalf("got %d %q", status, body)
	}
}

// A keep-alive connection on the fast path that starts a head must
// finish it within read-header-timeout, not idle-timeout.
func TestFastFrontHeadTimeout(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	rt, fr := startFrontRouter(t, echoBackend(&seen, &mu), func(c *config.Config) {
		c.ReadHeaderTimeout = 300 * time.Millisecond
		c.IdleTimeout = time.Minute
	})
	host := strings.TrimPrefix(rt.url, "http://")
	rc := dialRaw(t, host)
	rc.send("GET /one HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + "\r\n")
	if status, _, _ := rc.answer("GET"); status != 200 || fr.fastHeads.Load() != 1 {
		t.Fatalf("status %d, fast heads %d", status, fr.fastHeads.Load())
	}
	rc.send("GET /two HTTP/1.1\r\nHost: ")
	start := time.Now()
	_ = rc.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := rc.br.ReadByte(); err == nil {
		t.Fatal("the router answered a partial head")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the partial head was dropped after %s, want about the read-header-timeout", d)
	}
}

// Connections one after another are served by the worker the first one
// left waiting, not by a new goroutine each (front.worker): the number of
// waiting workers stays as it was after the first.
func TestFastFrontWorkersServeConnectionsInTurn(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	rt, fr := startFrontRouter(t, echoBackend(&seen, &mu))
	host := strings.TrimPrefix(rt.url, "http://")
	waitIdle := func(ok func(int64) bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); ; {
			if ok(fr.idleWorkers.Load()) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("idle workers %d", fr.idleWorkers.Load())
			}
			time.Sleep(time.Millisecond)
		}
	}
	// startFrontRouter's /status came on one connection, which its worker
	// handed to net/http: that worker waits once it has.
	const want = 1
	waitIdle(func(n int64) bool { return n == want })
	for i := range 5 {
		rc := dialRaw(t, host)
		rc.send("GET /w HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n" + frontSvc + "\r\n")
		if status, body, closed := rc.answer("GET"); status != 200 || body != "echo /w " || !closed {
			t.Fatalf("connection %d: %d %q closed %v", i, status, body, closed)
		}
		_ = rc.c.Close()
		waitIdle(func(n int64) bool { return n == want })
	}
	if n := fr.idleWorkers.Load(); n != want {
		t.Fatalf("idle workers %d after 5 connections in turn, want %d", n, want)
	}
}
