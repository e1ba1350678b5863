//go:build linux

package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// loopBackend answers in every shape an instance can: the event loops
// must relay each exactly as the goroutine front does.
func loopBackend() http.Handler {
	big := strings.Repeat("<p>loop</p>", 1000)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			w.Header().Set("X-Seen-Via", r.Header.Get("Via"))
			w.Header().Set("X-Seen-Cid", boolWord(r.Header.Get("X-Cid") != ""))
			w.Header().Set("X-Seen-Token", r.Header.Get("X-Waiter-Token"))
			_, _ = io.WriteString(w, "hello "+r.Method+" "+r.URL.RequestURI())
		case "/echo":
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, "reading the body: "+err.Error(), http.StatusBadRequest)
				return
			}
			fmt.Fprintf(w, "%s %s %d %q te=%v trailer=%v", r.Method, r.URL.RequestURI(), len(body), body, r.TransferEncoding, r.Trailer)
		case "/big":
			_, _ = io.WriteString(w, big) // chunked: longer than net/http buffers
		case "/stream":
			w.Header().Set("Content-Type", "text/plain")
			for i := range 3 {
				_, _ = fmt.Fprintf(w, "part %d\n", i)
				w.(http.Flusher).Flush()
			}
			w.Header().Set(http.TrailerPrefix+"X-Parts", "3")
		case "/sniff":
			w.Header()["Date"] = nil
			_, _ = io.WriteString(w, "<html><body>sniff me</body></html>")
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
		case "/warm":
			_, _ = io.WriteString(w, "warm")
		case "/host":
			_, _ = io.WriteString(w, "host "+r.Host)
		case "/slow":
			time.Sleep(200 * time.Millisecond)
			_, _ = io.WriteString(w, "slow")
		case "/busy":
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "busy")
		case "/close":
			w.Header().Set("Connection", "close")
			_, _ = io.WriteString(w, "bye")
		case "/hop":
			w.Header().Set("Keep-Alive", "timeout=5")
			w.Header().Set("Proxy-Authenticate", "x")
			w.Header().Set("X-Kept", "yes")
			_, _ = io.WriteString(w, "hop")
		case "/notype":
			w.Header()["Content-Type"] = nil // the router sniffs one
			_, _ = io.WriteString(w, "<html><body>no type</body></html>")
		case "/via":
			w.Header().Set("Via", "1.0 upstream")
			_, _ = io.WriteString(w, "via")
		case "/named":
			w.Header().Set("Connection", "X-Drop")
			w.Header().Set("X-Drop", "gone")
			w.Header().Set("X-Kept", "yes")
			_, _ = io.WriteString(w, "named")
		case "/fields":
			w.Header().Set("X-Cid", "the-instance-own")
			w.Header()["Set-Cookie"] = []string{"a=1", "b=2"}
			w.Header()["X-Multi"] = []string{"1", "2", "3"}
			w.Header().Set("Date", "Mon, 02 Jan 2006 15:04:05 GMT")
			_, _ = io.WriteString(w, "fields")
		case "/empty":
			w.Header().Set("Content-Length", "0")
		case "/nbsp":
			w.Header().Set("X-Space", "a\u00a0") // trimmed by the goroutine front's framing
			_, _ = io.WriteString(w, "nbsp")
		case "/odd":
			w.WriteHeader(299)
			_, _ = io.WriteString(w, "odd")
		case "/cut":
			w.Header().Set("Content-Length", "100")
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, "short")
			w.(http.Flusher).Flush() // the head is out: the answer breaks after it
			panic(http.ErrAbortHandler)
		case "/broken":
			w.Header().Set("Content-Length", "100")
			_, _ = io.WriteString(w, "short")
			panic(http.ErrAbortHandler)
		default:
			http.NotFound(w, r)
		}
	})
}

func boolWord(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// loopAnswer is what a client sees of one answer, less what differs
// between any two answers (Date, the correlation id).
type loopAnswer struct {
	Status  int
	Header  http.Header
	Body    string
	Trailer http.Header
	Chunked bool
	Close   bool
	Err     string
}

// readLoopAnswer reads an answer to a request with method from br; ok
// is false when none came.
func readLoopAnswer(br *bufio.Reader, method string) (a loopAnswer, ok bool) {
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		return loopAnswer{Err: "no answer"}, false
	}
	b, err := io.ReadAll(resp.Body)
	a = loopAnswer{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Trailer: resp.Trailer,
		Chunked: len(resp.TransferEncoding) > 0, Close: resp.Close}
	if err != nil {
		a.Err = "body broken"
	}
	return a, true
}

// exchangeLoop sends raw on a new connection to host and reads n
// answers.
func exchangeLoop(t *testing.T, host, raw, method string, n int) []loopAnswer {
	t.Helper()
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	var out []loopAnswer
	for range n {
		a, ok := readLoopAnswer(br, method)
		if !ok {
			out = append(out, a)
			break
		}
		for _, k := range []string{"Date", "X-Cid"} {
			if len(a.Header[k]) != 1 && k == "X-Cid" {
				a.Err = "x-cid: " + strings.Join(a.Header[k], ",")
			}
			a.Header.Del(k)
		}
		out = append(out, a)
	}
	return out
}

// The event loops answer every shape of request and answer they serve
// as the goroutine front does (status, headers, framing, body, trailers,
// whether the connection stays open), and serve them: none is handed off.
func TestEventLoopAnswersAsGoroutineFront(t *testing.T) {
	loopRt, loopFr := startFrontRouter(t, loopBackend())
	goRt, _ := startFrontRouter(t, loopBackend(), goroutineFront)
	if loopFr == nil || loopFr.loops == nil {
		t.Fatal("the router built no event loops")
	}
	// An instance that is busy or fails is ejected for a while: those
	// cases have services of their own.
	name := func(path string) string {
		if path == "/busy" || path == "/broken" || path == "/cut" {
			return "loop" + strings.TrimPrefix(path, "/")
		}
		return "loop"
	}
	req := func(method, path string, extra ...string) string {
		return method + " " + path + " HTTP/1.1\r\nHost: h\r\n" + kitchenFields(name(path)) + strings.Join(extra, "") + "\r\n"
	}
	hosts := map[string]string{"loop": strings.TrimPrefix(loopRt.url, "http://"), "goroutine": strings.TrimPrefix(goRt.url, "http://")}
	// Start the services on each router (a service's first request
	// queues, and is not compared: the loop hands a service not yet
	// stored off).
	for _, host := range hosts {
		for _, path := range []string{"/small", "/busy", "/broken", "/cut"} {
			if a := exchangeLoop(t, host, req("GET", "/small")+strings.Replace(req("GET", path), path, "/small", 1), "GET", 2); a[1].Status != 200 {
				t.Fatalf("starting the service for %s: %+v", path, a)
			}
		}
	}
	// relayed: how many of the answers pass as they came (RelayHead);
	// the others are framed anew from a header map.
	// fails: the client sees the answer fail (no answer, or a broken
	// body: the goroutine front has not sent the head of an answer that
	// breaks early, the loops have; either ends in a broken transfer),
	// which is all that is compared.
	cases := []struct {
		name, raw, method string
		n, relayed        int
		fails             bool
	}{
		{"small", req("GET", "/small?q=1"), "GET", 1, 1, false},
		{"keep-alive", req("GET", "/small") + req("GET", "/big") + req("GET", "/small"), "GET", 3, 2, false},
		{"big", req("GET", "/big"), "GET", 1, 0, false},
		{"stream with trailers", req("GET", "/stream"), "GET", 1, 0, false},
		{"sniffed", req("GET", "/sniff"), "GET", 1, 1, false},
		{"204", req("GET", "/nocontent"), "GET", 1, 0, false},
		{"instance closes", req("GET", "/close") + req("GET", "/small"), "GET", 2, 2, false},
		{"hop-by-hop", req("GET", "/hop"), "GET", 1, 1, false},
		{"head", req("HEAD", "/small"), "HEAD", 1, 0, false},
		{"delete", req("DELETE", "/small"), "DELETE", 1, 1, false},
		{"client closes", req("GET", "/small", "Connection: close\r\n") + req("GET", "/small"), "GET", 2, 1, false},
		{"debug", req("GET", "/small", "x-waiter-debug: true\r\n"), "GET", 1, 0, false},
		{"not found", req("GET", "/nope"), "GET", 1, 1, false},
		{"busy", req("GET", "/busy"), "GET", 1, 1, false},
		{"broken before its head", req("GET", "/broken"), "GET", 1, 0, false},
		{"broken after its head", req("GET", "/cut"), "GET", 1, 1, true},
		{"no content type", req("GET", "/notype"), "GET", 1, 0, false},
		{"via to extend", req("GET", "/via"), "GET", 1, 0, false},
		{"connection names a field", req("GET", "/named"), "GET", 1, 0, false},
		{"cid, cookies, repeated fields, date", req("GET", "/fields"), "GET", 1, 1, false},
		{"empty", req("GET", "/empty"), "GET", 1, 1, false},
		{"unicode space", req("GET", "/nbsp"), "GET", 1, 0, false},
		{"unknown status", req("GET", "/odd"), "GET", 1, 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			served, handed, relayed := loopFr.loops.Served(), loopFr.loops.Handoffs(), loopFr.loops.Relayed()
			want := exchangeLoop(t, hosts["goroutine"], c.raw, c.method, c.n)
			got := exchangeLoop(t, hosts["loop"], c.raw, c.method, c.n)
			normalizeDebug(want)
			normalizeDebug(got)
			if c.fails {
				if got[0].Err == "" || want[0].Err == "" {
					t.Errorf("the answer did not fail: the loops answered\n%+v\nthe goroutine front answered\n%+v", got, want)
				}
			} else if !reflect.DeepEqual(got, want) {
				t.Errorf("the loops answered\n%+v\nthe goroutine front answered\n%+v", got, want)
			}
			if h := loopFr.loops.Handoffs() - handed; h != 0 {
				t.Errorf("%d connections handed off", h)
			}
			if s := loopFr.loops.Served() - served; s == 0 {
				t.Errorf("the loops served none of the requests")
			}
			if r := loopFr.loops.Relayed() - relayed; r != int64(c.relayed) {
				t.Errorf("%d answers relayed as they came, want %d", r, c.relayed)
			}
		})
	}
}

// normalizeDebug drops the debug headers' timings and router-specific
// values, and the login cookies' values, which differ between any two
// routers.
func normalizeDebug(as []loopAnswer) {
	for i := range as {
		a := &as[i]
		if a.Status >= 500 {
			// Waiter's error page names the request's cid and time.
			var lines []string
			for _, l := range strings.Split(a.Body, "\n") {
				if !strings.Contains(l, "CID:") && !strings.Contains(l, "Time:") {
					lines = append(lines, l)
				}
			}
			a.Body = strings.Join(lines, "\n")
			a.Header.Del("Content-Length")
		}
		for i, v := range a.Header["Set-Cookie"] {
			name, _, _ := strings.Cut(v, "=")
			a.Header["Set-Cookie"][i] = name
		}
		for k := range a.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-waiter-") {
				a.Header[k] = []string{"(set)"}
			}
		}
	}
}

// A request that waits for an instance (all busy) waits on the loop,
// and is sent once the engine grants it one; its client going away while
// it waits withdraws it.
func TestEventLoopQueuedRequest(t *testing.T) {
	rt, fr := startFrontRouter(t, loopBackend())
	host := strings.TrimPrefix(rt.url, "http://")
	svc := kitchenFields("queue") +
		"x-waiter-concurrency-level: 1\r\nx-waiter-max-instances: 1\r\n"
	get := func(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: h\r\n" + svc + "\r\n" }
	first := dialRaw(t, host)
	first.send(get("/small")) // starts the service (handed off: not stored yet)
	if status, _, _ := first.answer("GET"); status != 200 {
		t.Fatalf("starting the service: %d", status)
	}
	served := fr.loops.Served()
	slow := dialRaw(t, host)
	slow.send(get("/slow")) // holds the one slot
	time.Sleep(50 * time.Millisecond)
	gone := dialRaw(t, host)
	gone.send(get("/small")) // queues, then its client leaves
	waiting := dialRaw(t, host)
	waiting.send(get("/small")) // queues behind it
	time.Sleep(20 * time.Millisecond)
	_ = gone.c.Close()
	if status, body, _ := slow.answer("GET"); status != 200 || body != "slow" {
		t.Fatalf("slow request: %d %q", status, body)
	}
	if status, body, _ := waiting.answer("GET"); status != 200 || body != "hello GET /small" {
		t.Fatalf("queued request: %d %q", status, body)
	}
	if n := fr.loops.Served() - served; n != 2 {
		t.Errorf("the loops answered %d requests, want 2 (slow, queued; not the withdrawn one)", n)
	}
}

// A request the loops do not serve (an API call, a body, env headers)
// goes to the goroutine front with the connection, from its first byte,
// and is answered as ever; the connection's later requests too.
func TestEventLoopHandsOffWhatItDoesNotServe(t *testing.T) {
	rt, fr := startFrontRouter(t, loopBackend())
	host := strings.TrimPrefix(rt.url, "http://")
	for _, c := range []struct{ name, raw string }{
		{"api", "GET /status HTTP/1.1\r\nHost: router.test\r\n\r\nGET /status HTTP/1.1\r\nHost: router.test\r\n\r\n"},
		{"body", "POST /small HTTP/1.1\r\nHost: h\r\n" + kitchenFields("loop") + "Content-Length: 2\r\n\r\nhi" +
			"GET /status HTTP/1.1\r\nHost: router.test\r\n\r\n"},
		{"split head", "GET /sta"},
		{"upgrade", "GET /small HTTP/1.1\r\nHost: h\r\n" + kitchenFields("loop") + "Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			handed := fr.loops.Handoffs()
			rc := dialRaw(t, host)
			rc.send(c.raw)
			if c.name == "split head" {
				time.Sleep(10 * time.Millisecond) // the head's rest comes in a later read
				rc.send("tus HTTP/1.1\r\nHost: router.test\r\n\r\n")
			}
			for i := range strings.Count(c.raw, "HTTP/1.1") + strings.Count(c.name, "split") {
				if status, body, _ := rc.answer("GET"); status != 200 {
					t.Fatalf("answer %d: %d %q", i, status, body)
				}
			}
			if fr.loops.Handoffs() == handed {
				t.Error("no connection was handed off")
			}
		})
	}
}

// The loops close an idle keep-alive connection after the idle timeout,
// as the goroutine front does.
func TestEventLoopIdleTimeout(t *testing.T) {
	rt, _ := startFrontRouter(t, loopBackend(), func(c *config.Config) { c.IdleTimeout = 100 * time.Millisecond })
	// Timed from before the dial: the router's idle time starts when it
	// accepts, which can be before dialRaw returns to a starved test.
	start := time.Now()
	rc := dialRaw(t, strings.TrimPrefix(rt.url, "http://"))
	if _, err := rc.br.ReadByte(); err == nil {
		t.Fatal("the router wrote to an idle connection")
	}
	if waited := time.Since(start); waited < 100*time.Millisecond || waited > 5*time.Second {
		t.Errorf("the idle connection closed after %v, want about 100ms", waited)
	}
}

// loopRequest sends a request for service name (kitchen's headers in
// extra, "Name: value\r\n" lines) on a fresh connection, after a first
// request on another one started the service (and stored it: the loops
// hand a service not yet stored off).
func loopRequest(t *testing.T, rt *testRouter, name, path string, extra ...string) *rawConn {
	t.Helper()
	host := strings.TrimPrefix(rt.url, "http://")
	svc := kitchenFields(name)
	warm := dialRaw(t, host)
	warm.send("GET /warm HTTP/1.1\r\nHost: h\r\n" + svc + "\r\n")
	if status, body, _ := warm.answer("GET"); status != 200 {
		t.Fatalf("starting %s: %d %q", name, status, body)
	}
	return loopSend(t, rt, name, path, extra...)
}

// loopSend sends a request for service name on a fresh connection.
func loopSend(t *testing.T, rt *testRouter, name, path string, extra ...string) *rawConn {
	t.Helper()
	host := strings.TrimPrefix(rt.url, "http://")
	svc := kitchenFields(name)
	rc := dialRaw(t, host)
	rc.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n" + svc + strings.Join(extra, "") + "\r\n")
	return rc
}

// The loops answer an instance's failures as the goroutine front does
// (TestBackendFailures): 504 past the socket timeout, 502 when the
// instance refuses the connection, a broken transfer when the body
// breaks or stalls past the streaming timeout.
func TestEventLoopBackendFailures(t *testing.T) {
	rt, fr := startFrontRouter(t, nil)
	served := func() int64 { return fr.loops.Served() }

	t.Run("socket timeout: 504", func(t *testing.T) {
		before := served()
		rc := loopRequest(t, rt, "loopslow", "/", "x-waiter-timeout: 100\r\nx-kitchen-delay-ms: 10000\r\n")
		start := time.Now()
		status, body, _ := rc.answer("GET")
		wantBody(t, status, body, 504, "Request to service backend timed out")
		if waited := time.Since(start); waited > 5*time.Second {
			t.Errorf("the 504 came after %v", waited)
		}
		if served() == before {
			t.Error("the loops did not serve it")
		}
	})
	t.Run("instance refuses connections: 502", func(t *testing.T) {
		h := service("loopcrash")
		if status, _ := read(t, rt.call(t, "GET", "/", nil, h...)); status != 200 {
			t.Fatalf("warm-up status %d", status)
		}
		rt.sched.Crash(rt.sched.Instances(rt.serviceID(t, h))[0].ID)
		before := served()
		rc := loopSend(t, rt, "loopcrash", "/")
		status, body, _ := rc.answer("GET")
		wantBody(t, status, body, 502, "Request failed to connect to service backend")
		if served() == before {
			t.Error("the loops did not serve it")
		}
	})
	for _, chunked := range []string{"", "1"} {
		t.Run("body breaks mid-stream, chunked="+chunked, func(t *testing.T) {
			rc := loopRequest(t, rt, "loopbroken"+chunked, "/",
				"x-kitchen-response-size: 100000\r\nx-kitchen-fail-after: 5000\r\nx-kitchen-chunked: "+chunked+"\r\n")
			resp, err := http.ReadResponse(rc.br, &http.Request{Method: "GET"})
			if err != nil {
				t.Fatal(err)
			}
			n, err := io.Copy(io.Discard, resp.Body)
			if err == nil || n >= 100000 {
				t.Errorf("read %d bytes with err %v, want a broken transfer", n, err)
			}
		})
	}
	t.Run("stall past the streaming timeout", func(t *testing.T) {
		rc := loopRequest(t, rt, "loopstall", "/",
			"x-kitchen-response-size: 100000\r\nx-kitchen-stall-after: 3000\r\nx-kitchen-chunked: 1\r\nx-waiter-streaming-timeout: 100\r\n")
		resp, err := http.ReadResponse(rc.br, &http.Request{Method: "GET"})
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		if err == nil || n != 3000 {
			t.Errorf("read %d bytes with err %v, want 3000 then a broken transfer", n, err)
		}
	})
}

// A connection the loops handed off (its first request started a
// service) comes back to them once it idles long enough to park: its
// later requests are the loops' again.
func TestEventLoopTakesBackParkedConnection(t *testing.T) {
	rt, fr := startFrontRouter(t, loopBackend())
	host := strings.TrimPrefix(rt.url, "http://")
	svc := kitchenFields("back")
	get := "GET /small HTTP/1.1\r\nHost: h\r\n" + svc + "\r\n"
	rc := dialRaw(t, host)
	handed := fr.loops.Handoffs()
	rc.send(get)
	if status, _, _ := rc.answer("GET"); status != 200 {
		t.Fatalf("first request: %d", status)
	}
	if fr.loops.Handoffs() != handed+1 {
		t.Fatalf("the first request (a service not stored yet) was not handed off")
	}
	waitFor(t, "the idle connection parked", func() bool { return fr.parked() == 1 })
	served := fr.loops.Served()
	rc.send(get)
	if status, body, _ := rc.answer("GET"); status != 200 || body != "hello GET /small" {
		t.Fatalf("second request: %d %q", status, body)
	}
	if fr.loops.Served() != served+1 {
		t.Error("the parked connection's next request was not served by the loops")
	}
}

// A head that does not come whole within the read-header timeout closes
// the connection without an answer, on the loops as on the goroutine
// front, timed from its own first bytes: a head that came in pieces
// before does not shorten the next one's time.
func TestEventLoopHeadTimeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	rt, fr := startFrontRouter(t, loopBackend(), func(c *config.Config) { c.ReadHeaderTimeout = timeout })
	svc := kitchenFields("headtime")
	warm := loopRequest(t, rt, "headtime", "/small") // starts the service on another connection
	if status, _, _ := warm.answer("GET"); status != 200 {
		t.Fatalf("warm-up: %d", status)
	}
	served := fr.loops.Served()
	rc := dialRaw(t, strings.TrimPrefix(rt.url, "http://"))
	rc.send("GET /small HTTP/1.1\r\n")
	time.Sleep(timeout / 2)
	rc.send("Host: h\r\n" + svc + "\r\n") // whole within the timeout: answered
	if status, _, _ := rc.answer("GET"); status != 200 {
		t.Fatalf("status %d", status)
	}
	if fr.loops.Served() != served+1 {
		t.Fatal("the loops did not serve the request")
	}
	time.Sleep(timeout / 2)
	rc.send("GET /sm") // the next head, in pieces, gets its own time
	start := time.Now()
	// The loops close it without an answer, as the goroutine front does
	// (h1serve answers no timed-out read) and nginx past its
	// client_header_timeout.
	if rest, _ := io.ReadAll(rc.br); len(rest) > 0 {
		t.Fatalf("the router answered a head that never ended: %q", rest)
	}
	if waited := time.Since(start); waited < timeout*3/4 {
		t.Errorf("the unfinished head was cut after %v, want about %v from its first bytes", waited, timeout)
	}
	goRt, _ := startFrontRouter(t, loopBackend(), func(c *config.Config) { c.ReadHeaderTimeout = timeout }, goroutineFront)
	gc := dialRaw(t, strings.TrimPrefix(goRt.url, "http://"))
	gc.send("GET /sm")
	if rest, _ := io.ReadAll(gc.br); len(rest) > 0 {
		t.Fatalf("the goroutine front answered a head that never ended: %q; the loops did not", rest)
	}
}

// A head larger than max-header-bytes goes to the goroutine front, which
// refuses it with 431.
func TestEventLoopLargeHead(t *testing.T) {
	rt, _ := startFrontRouter(t, loopBackend(), func(c *config.Config) { c.MaxHeaderBytes = 4096 })
	rc := dialRaw(t, strings.TrimPrefix(rt.url, "http://"))
	rc.send("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + strings.Repeat("a", 8192) + "\r\n\r\n")
	if status, _, _ := rc.answer("GET"); status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d, want 431", status)
	}
}

// A head that fills max-header-bytes exactly without ending is handed
// off when more comes (the loops read past the bound), not held: the
// goroutine front answers it as it answers such a head (net/http allows
// 4 KB over the bound: here, 400 for a request naming no service).
func TestEventLoopHeadAtTheBound(t *testing.T) {
	rt, _ := startFrontRouter(t, loopBackend(), func(c *config.Config) { c.MaxHeaderBytes = 4096 })
	rc := dialRaw(t, strings.TrimPrefix(rt.url, "http://"))
	head := "GET / HTTP/1.1\r\nHost: h\r\nX-Big: "
	rc.send(head + strings.Repeat("a", 4096-len(head)))
	time.Sleep(50 * time.Millisecond)
	rc.send(strings.Repeat("a", 100) + "\r\n\r\n")
	if status, _, _ := rc.answer("GET"); status != http.StatusBadRequest && status != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d, want the goroutine front's refusal", status)
	}
}

// With an access log, the loops log each request as the goroutine front
// does (status, bytes, service, instance, protocol), whether its answer
// passed as it came, was framed anew, or failed.
func TestEventLoopAccessLogAsGoroutineFront(t *testing.T) {
	logs := map[string]string{}
	withLog := func(name string) func(*config.Config) {
		return func(c *config.Config) {
			logs[name] = filepath.Join(t.TempDir(), "access.log")
			c.AccessLog, c.LogFormat = logs[name], "json"
		}
	}
	loopRt, loopFr := startFrontRouter(t, loopBackend(), withLog("loop"))
	goRt, _ := startFrontRouter(t, loopBackend(), withLog("goroutine"), goroutineFront)
	if loopFr == nil || loopFr.loops == nil {
		t.Fatal("the router built no event loops")
	}
	svc := kitchenFields("logged")
	req := func(path string) string {
		return "GET " + path + " HTTP/1.1\r\nHost: h\r\nUser-Agent: t\r\n" + svc + "\r\n"
	}
	paths := []string{"/small", "/big", "/nope", "/fields", "/notype"}
	for name, rt := range map[string]*testRouter{"loop": loopRt, "goroutine": goRt} {
		host := strings.TrimPrefix(rt.url, "http://")
		exchangeLoop(t, host, req("/warm"), "GET", 1) // starts the service (handed off on the loops)
		raw := ""
		for _, p := range paths {
			raw += req(p)
		}
		if got := exchangeLoop(t, host, raw, "GET", len(paths)); len(got) != len(paths) || got[len(got)-1].Err != "" {
			t.Fatalf("%s: %+v", name, got)
		}
	}
	if loopFr.loops.Relayed() == 0 {
		t.Fatal("no answer passed as it came on the loops")
	}
	kept := []string{"method", "path", "status", "response-content-length", "client-protocol", "waiter-api",
		"principal", "service-name", "service-version", "backend-protocol", "aborted"}
	entries := func(name string) []map[string]any {
		var out []map[string]any
		// A request's entry is written after its answer: wait for all.
		deadline := time.Now().Add(5 * time.Second)
		for {
			data, _ := os.ReadFile(logs[name])
			out = out[:0]
			for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				var e map[string]any
				if json.Unmarshal([]byte(line), &e) != nil || e["path"] == "/status" || e["path"] == "/warm" {
					continue
				}
				m := map[string]any{}
				for _, k := range kept {
					if v, ok := e[k]; ok {
						m[k] = v
					}
				}
				out = append(out, m)
			}
			if len(out) >= len(paths) || time.Now().After(deadline) {
				return out
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	got, want := entries("loop"), entries("goroutine")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the loops logged\n%v\nthe goroutine front logged\n%v", got, want)
	}
}

// A listener that fails under the router (shut down here) ends Run with
// accept's error, whether the event loops or the goroutine front accept
// from it, as net/http's Serve ends with it.
func TestRunEndsWhenItsListenerFails(t *testing.T) {
	for name, front := range map[string]func(*config.Config){"event loops": func(*config.Config) {}, "goroutine front": goroutineFront} {
		t.Run(name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			cfg := config.Default()
			cfg.DataDir = t.TempDir()
			cfg.RunAsUser = "alice"
			cfg.DrainTimeout = time.Second
			front(&cfg)
			sched := fakesched.New(func(*engine.Description) http.Handler { return fakesched.Backend() })
			ready := make(chan string, 1)
			done := make(chan error, 1)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				done <- Run(ctx, Options{Config: cfg, Clock: clock.New(), Scheduler: sched, Listener: ln,
					Logger: slog.New(slog.DiscardHandler), Ready: func(addr string) { ready <- addr }})
			}()
			select {
			case <-ready:
			case err := <-done:
				t.Fatalf("Run: %v", err)
			}
			rc, err := ln.(*net.TCPListener).SyscallConn()
			if err != nil {
				t.Fatal(err)
			}
			var serr error
			if err := rc.Control(func(fd uintptr) { serr = syscall.Shutdown(int(fd), syscall.SHUT_RD) }); err != nil || serr != nil {
				t.Fatal(err, serr)
			}
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "accept") || !errors.Is(err, syscall.EINVAL) {
					t.Errorf("Run ended with %v, want accept's EINVAL", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Run goes on with its listener shut down")
			}
		})
	}
}

// event-loops sets how many loops serve (0: one per CPU the runtime
// uses), and a router with a number of its own serves through them.
func TestEventLoopsSetting(t *testing.T) {
	for _, tc := range []struct{ set, want int }{{3, 3}, {1, 1}, {0, runtime.GOMAXPROCS(0)}} {
		rt, fr := startFrontRouter(t, loopBackend(), func(c *config.Config) { c.EventLoops = tc.set })
		if fr == nil || fr.loops == nil {
			t.Fatalf("event-loops %d: no event loops", tc.set)
		}
		if n := fr.loops.Loops(); n != tc.want {
			t.Errorf("event-loops %d: %d loops, want %d", tc.set, n, tc.want)
		}
		host := strings.TrimPrefix(rt.url, "http://")
		svc := kitchenFields("loops")
		c := dialRaw(t, host)
		c.send("GET /small HTTP/1.1\r\nHost: h\r\n" + svc + "\r\n") // starts the service (handed off: not stored yet)
		if status, _, _ := c.answer("GET"); status != 200 {
			t.Fatalf("event-loops %d: starting the service: %d", tc.set, status)
		}
		served := fr.loops.Served()
		again := dialRaw(t, host)
		again.send("GET /small HTTP/1.1\r\nHost: h\r\n" + svc + "\r\n")
		if status, body, _ := again.answer("GET"); status != 200 || body != "hello GET /small" {
			t.Fatalf("event-loops %d: %d %q", tc.set, status, body)
		}
		if n := fr.loops.Served() - served; n != 1 {
			t.Errorf("event-loops %d: the loops answered %d requests, want 1", tc.set, n)
		}
	}
}
