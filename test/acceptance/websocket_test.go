package acceptance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Ports of parts of websocket_integration_test.clj: a websocket to a
// kitchen service through the router is admitted like a request, counted
// as outstanding while open, and closed when its instance dies or it
// stays idle for the streaming timeout.

// wsDial opens a websocket to the kitchen service named by headers
// (kitchenHeaders are added), checks the 101 and reads the greeting.
func (rt *router) wsDial(t *testing.T, ctx context.Context, extra map[string]string) *websocket.Conn {
	t.Helper()
	h := http.Header{}
	for k, v := range kitchenHeaders(extra) {
		h.Set(k, v)
	}
	url := "ws" + strings.TrimPrefix(rt.url, "http") + "/websocket-echo"
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{
		HTTPClient: &http.Client{Transport: httpClient.Transport}, HTTPHeader: h})
	if err != nil {
		t.Fatalf("websocket dial through the router: %v (response %v)", err, resp)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake status %d, want 101", resp.StatusCode)
	}
	if resp.Header.Get("x-cid") == "" {
		t.Errorf("101 without the router's x-cid: %v", resp.Header)
	}
	typ, msg, err := c.Read(ctx)
	if err != nil || typ != websocket.MessageText || string(msg) != "Connected to kitchen" {
		t.Fatalf("greeting = %v %q %v, want text \"Connected to kitchen\"", typ, msg, err)
	}
	return c
}

// outstanding is the service's queued plus in-flight count on the router.
func (rt *router) outstanding(t testing.TB, id string) int {
	t.Helper()
	r := rt.get("/state/" + id)
	expectStatus(t, r, http.StatusOK)
	var out struct {
		State struct {
			Autoscaler struct {
				Outstanding int `json:"outstanding-requests"`
			} `json:"autoscaler-state"`
		} `json:"state"`
	}
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
		t.Fatalf("GET /state/%s: %v: %s", id, err, r.Body)
	}
	return out.State.Autoscaler.Outstanding
}

func waitOutstanding(t *testing.T, rt *router, id string, want int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d outstanding requests", want), 20*time.Second, 50*time.Millisecond, func() (bool, string) {
		n := rt.outstanding(t, id)
		return n == want, fmt.Sprintf("%d outstanding", n)
	})
}

func TestWebsocketEchoThroughRouter(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()

	c := rt.wsDial(t, ctx, h)
	for _, m := range []struct {
		typ  websocket.MessageType
		data []byte
	}{{websocket.MessageText, []byte("hello through the router")}, {websocket.MessageBinary, payload(20_000, 7)}} {
		if err := c.Write(ctx, m.typ, m.data); err != nil {
			t.Fatalf("write: %v", err)
		}
		typ, got, err := c.Read(ctx)
		if err != nil || typ != m.typ || string(got) != string(m.data) {
			t.Errorf("echo: type %v, %d bytes, err %v; want type %v, the %d bytes sent", typ, len(got), err, m.typ, len(m.data))
		}
	}
	waitOutstanding(t, rt, id, 1)
	if err := c.Close(websocket.StatusNormalClosure, "done"); err != nil {
		t.Fatalf("close: %v", err)
	}
	waitOutstanding(t, rt, id, 0)
}

func TestWebsocketClosedWhenInstanceDies(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	// Concurrency 2 so the /die request reaches the instance holding the socket.
	h := map[string]string{"x-waiter-name": randName(t), "x-waiter-concurrency-level": "2"}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()

	c := rt.wsDial(t, ctx, h)
	rt.kitchenAt(http.MethodPost, "/die", h, nil) // its own answer is a 502; what matters is the socket
	readCtx, readCancel := context.WithTimeout(ctx, 20*time.Second)
	defer readCancel()
	if _, _, err := c.Read(readCtx); err == nil || readCtx.Err() != nil {
		t.Fatalf("read after the instance died: err %v (deadline passed: %v), want the socket closed", err, readCtx.Err())
	}
	waitOutstanding(t, rt, id, 0)
}

func TestWebsocketIdleTimeout(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t), "x-waiter-streaming-timeout": "1000"}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()

	// The service is started first, so that the dial below is only the
	// upgrade. The time is taken from before the dial: the router's idle
	// time starts with the upgrade, before wsDial returns, and a client
	// goroutine starved after it (CI saw the close 636 ms after it on a
	// loaded runner) must not make the socket look closed early.
	if r := rt.kitchenAt(http.MethodGet, "/kitchen-state", h, nil); r.Status != http.StatusOK {
		t.Fatalf("starting the service: %d %v", r.Status, r.Err)
	}
	start := time.Now()
	c := rt.wsDial(t, ctx, h)
	readCtx, readCancel := context.WithTimeout(ctx, 20*time.Second)
	defer readCancel()
	_, _, err := c.Read(readCtx)
	took := time.Since(start)
	if err == nil || readCtx.Err() != nil {
		t.Fatalf("read on an idle socket: err %v (deadline passed: %v), want the router to close it", err, readCtx.Err())
	}
	if took < 900*time.Millisecond {
		t.Errorf("idle socket closed after %v, before the 1 s streaming timeout", took)
	}
	waitOutstanding(t, rt, id, 0)
}
