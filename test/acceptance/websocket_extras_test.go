package acceptance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// More of websocket_integration_test.clj: subprotocols, wss through the
// TLS listener, authentication failing on the handshake, and the drain
// on SIGTERM waiting for open websockets.

// wsDialOpts dials the kitchen service named by h on base (ws:// or
// wss://) with opts, returning the handshake's error unchecked.
func wsDialOpts(ctx context.Context, base string, h map[string]string, opts *websocket.DialOptions) (*websocket.Conn, *http.Response, error) {
	hdr := http.Header{}
	for k, v := range kitchenHeaders(h) {
		hdr.Set(k, v)
	}
	for k, vv := range opts.HTTPHeader {
		for _, v := range vv {
			hdr.Add(k, v)
		}
	}
	opts.HTTPHeader = hdr
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Transport: httpClient.Transport}
	}
	return websocket.Dial(ctx, base+"/websocket-echo", opts)
}

func wsURL(rt *router) string { return "ws" + strings.TrimPrefix(rt.url, "http") }

// readGreeting reads kitchen's first message.
func readGreeting(t *testing.T, ctx context.Context, c *websocket.Conn) {
	t.Helper()
	if _, msg, err := c.Read(ctx); err != nil || string(msg) != "Connected to kitchen" {
		t.Fatalf("greeting %q %v, want \"Connected to kitchen\"", msg, err)
	}
}

// echo sends msg and expects it back.
func echo(ctx context.Context, c *websocket.Conn, msg string) error {
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	_, got, err := c.Read(ctx)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if string(got) != msg {
		return fmt.Errorf("echo %q, want %q", got, msg)
	}
	return nil
}

// test-request-auth-success-single-subprotocol and -multiple-subprotocols:
// the client's Sec-WebSocket-Protocol reaches the service and its answer
// the client; kitchen echoes what it is offered, so offering two fails
// the client's own check.
func TestWebsocketSubprotocols(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(h)))
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()

	c, resp, err := wsDialOpts(ctx, wsURL(rt), h, &websocket.DialOptions{Subprotocols: []string{"Chat-1.0"}})
	if err != nil {
		t.Fatalf("dial with subprotocol Chat-1.0: %v (%v)", err, resp)
	}
	defer c.CloseNow()
	if c.Subprotocol() != "Chat-1.0" {
		t.Errorf("agreed subprotocol %q, want Chat-1.0", c.Subprotocol())
	}
	readGreeting(t, ctx, c)
	if err := c.Write(ctx, websocket.MessageText, []byte("request-info")); err != nil {
		t.Fatal(err)
	}
	_, doc, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Headers map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(doc, &info); err != nil {
		t.Fatalf("request-info: %v: %s", err, doc)
	}
	if got := info.Headers["sec-websocket-protocol"]; got != "Chat-1.0" {
		t.Errorf("the kitchen saw sec-websocket-protocol %q, want Chat-1.0 (headers %v)", got, info.Headers)
	}
	_ = c.Close(websocket.StatusNormalClosure, "")

	c2, _, err := wsDialOpts(ctx, wsURL(rt), h, &websocket.DialOptions{Subprotocols: []string{"Chat-1.0", "Chat-2.0"}})
	if err == nil {
		c2.CloseNow()
		t.Fatal("dial offering two subprotocols succeeded; the kitchen answers with both, which the client must refuse")
	}
	if !strings.Contains(err.Error(), "Sec-WebSocket-Protocol") {
		t.Errorf("dial offering two subprotocols: %v, want the client's subprotocol check to fail", err)
	}
}

// test-request-auth-failure: a handshake without credentials is refused
// with 401 before anything is upgraded or started.
func TestWebsocketAuthFailure(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	c, resp, err := wsDialOpts(ctx, wsURL(rt), h, &websocket.DialOptions{HTTPHeader: http.Header{anonymousHeader: {"1"}}})
	if err == nil {
		c.CloseNow()
		t.Fatal("an anonymous websocket handshake was upgraded")
	}
	if resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous handshake: %v (%v), want 401", err, resp)
	}
	if resp.Header.Get("www-authenticate") == "" || resp.Header.Get("Upgrade") != "" {
		t.Errorf("401 headers %v: want a challenge and no Upgrade", resp.Header)
	}
	// Nothing was started for it: the router does not know the service.
	st := rt.get("/state/" + id)
	expectStatus(t, st, http.StatusOK)
	var out struct {
		State map[string]any `json:"state"`
	}
	st.json(t, &out)
	if len(out.State) != 0 {
		t.Errorf("the router runs the service of a refused handshake: %s", st.Body)
	}
}

// wss: the TLS listener carries websockets (HTTP/1.1 via ALPN).
func TestWebsocketOverTLS(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	p := new(http.Protocols)
	p.SetHTTP1(true)
	client := &http.Client{Transport: bearerTransport{base: &http.Transport{Protocols: p, TLSClientConfig: clientTLS("http/1.1")}}}
	c, resp, err := wsDialOpts(ctx, "wss"+strings.TrimPrefix(rt.tlsURL(), "https"), h, &websocket.DialOptions{HTTPClient: client})
	if err != nil {
		t.Fatalf("wss dial: %v (%v)", err, resp)
	}
	defer c.CloseNow()
	readGreeting(t, ctx, c)
	if err := echo(ctx, c, "over tls"); err != nil {
		t.Fatal(err)
	}
	waitOutstanding(t, rt, id, 1)
	_ = c.Close(websocket.StatusNormalClosure, "")
	waitOutstanding(t, rt, id, 0)
}

// Graceful drain: SIGTERM lets open websockets go on until the drain
// timeout, then closes those still open, and the router exits 0 with
// nothing left running. Its own router, since it stops it.
func TestWebsocketDrainOnSIGTERM(t *testing.T) {
	t.Parallel()
	const drain = 2 * time.Second
	rt, err := startRouterWith(bins, t.TempDir(), "acceptance-drain", drainPortRange, func(cfg string) string {
		return strings.Replace(cfg, "drain-timeout: 10s", "drain-timeout: "+drain.String(), 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			rt.kill()
		}
		for _, p := range processesUnder(rt.workDir) {
			if proc, err := os.FindProcess(p.PID); err == nil {
				_ = proc.Kill()
			}
		}
		if t.Failed() {
			t.Logf("router log:\n%s", rt.logTail(60))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	h := map[string]string{"x-waiter-name": randName(t), "x-waiter-concurrency-level": "4"}
	closedByClient := rt.wsDial(t, ctx, h)
	leftOpen := rt.wsDial(t, ctx, h)

	if err := rt.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sigterm := time.Now()
	waitFor(t, "the router to start draining", 5*time.Second, 20*time.Millisecond, func() (bool, string) {
		r := rt.kitchen(h)
		return r.Status == http.StatusServiceUnavailable || r.Err != nil, r.String()
	})
	// Open sockets keep working while the router drains.
	for _, c := range []*websocket.Conn{closedByClient, leftOpen} {
		if err := echo(ctx, c, "still here"); err != nil {
			t.Fatalf("a websocket open at SIGTERM: %v, want it to keep working during the drain", err)
		}
	}
	if err := closedByClient.Close(websocket.StatusNormalClosure, "done"); err != nil {
		t.Errorf("closing a websocket during the drain: %v", err)
	}
	readCtx, readCancel := context.WithTimeout(ctx, 20*time.Second)
	defer readCancel()
	_, _, err = leftOpen.Read(readCtx)
	closedAfter := time.Since(sigterm)
	if err == nil || readCtx.Err() != nil {
		t.Fatalf("the websocket left open: read %v (deadline passed: %v), want the router to close it", err, readCtx.Err())
	}
	if closedAfter < drain-200*time.Millisecond {
		t.Errorf("the websocket left open was closed %v after SIGTERM, before the %v drain timeout", closedAfter, drain)
	}
	code, err := rt.stop(30 * time.Second)
	stopped = true
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 {
		t.Errorf("waiter serve exited %d after SIGTERM, want 0", code)
	}
	if left := rt.leftovers(); len(left) > 0 {
		t.Errorf("left behind after shutdown: %v", left)
	}
}
