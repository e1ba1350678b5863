package waiterhttp

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

func TestIsWebsocketUpgrade(t *testing.T) {
	for _, tc := range []struct {
		connection, upgrade string
		want                bool
	}{
		{"Upgrade", "websocket", true},
		{"keep-alive, upgrade", "WebSocket", true},
		{"keep-alive", "websocket", false},
		{"Upgrade", "h2c", false},
		{"", "", false},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Connection", tc.connection)
		r.Header.Set("Upgrade", tc.upgrade)
		if got := isWebsocketUpgrade(r); got != tc.want {
			t.Errorf("Connection %q, Upgrade %q: upgrade = %v, want %v", tc.connection, tc.upgrade, got, tc.want)
		}
	}
}

// A websocket through the edge reaches the instance with the router's
// backend credentials, relays messages both ways, and releases its grant
// (as a success) only once the socket closes.
func TestWebsocketProxiedAndReleasedOnClose(t *testing.T) {
	gotAuth := make(chan string, 1)
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		gotAuth <- user + ":" + pass
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for {
			typ, data, err := c.Read(r.Context())
			if err != nil {
				return
			}
			if err := c.Write(r.Context(), typ, data); err != nil {
				return
			}
		}
	}))
	t.Cleanup(backend.Close)
	host, portStr, _ := net.SplitHostPort(backend.Listener.Addr().String())
	port, _ := strconv.Atoi(portStr)
	_, router, addr := socketEdge(t, func(c *Config) {
		c.BackendAuth = func(string) (string, string, bool) { return "waiter", "secret", true }
	})
	router.releases = make(chan engine.Outcome, 1)
	router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{Request: 1, Service: a.Description.ID, Instance: "i1", Host: host, Port: port}, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := http.Header{}
	for k, v := range kitchenHeaders() {
		h.Set(k, v)
	}
	c, resp, err := websocket.Dial(ctx, "ws://"+addr+"/ws", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatalf("dial through the edge: %v", err)
	}
	defer c.CloseNow()
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get(hdrCID) == "" {
		t.Errorf("handshake: status %d, headers %v; want 101 with x-cid", resp.StatusCode, resp.Header)
	}
	if auth := <-gotAuth; auth != "waiter:secret" {
		t.Errorf("backend saw basic auth %q, want waiter:secret", auth)
	}
	if err := c.Write(ctx, websocket.MessageBinary, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if typ, data, err := c.Read(ctx); err != nil || typ != websocket.MessageBinary || string(data) != "\x01\x02\x03" {
		t.Fatalf("echo = %v %q %v", typ, data, err)
	}
	select {
	case o := <-router.releases:
		t.Fatalf("grant released (%v) while the socket is open", o)
	default:
	}
	if err := c.Close(websocket.StatusNormalClosure, "bye"); err != nil {
		t.Fatal(err)
	}
	select {
	case o := <-router.releases:
		if o != engine.OutcomeSuccess {
			t.Errorf("released with %v, want success", o)
		}
	case <-ctx.Done():
		t.Fatal("grant never released after the socket closed")
	}
}

// A backend that does not switch protocols gets Waiter's upgrade failure:
// its error status kept, a non-error status turned into 400, released as
// the client's error.
func TestWebsocketRefusedByBackend(t *testing.T) {
	for _, tc := range []struct{ backend, want int }{{http.StatusForbidden, http.StatusForbidden}, {http.StatusOK, http.StatusBadRequest}} {
		backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.backend)
		}))
		host, portStr, _ := net.SplitHostPort(backend.Listener.Addr().String())
		port, _ := strconv.Atoi(portStr)
		_, router, addr := socketEdge(t, func(*Config) {})
		router.releases = make(chan engine.Outcome, 1)
		router.admit = func(a waiter.Admission) (waiter.Grant, error) {
			return waiter.Grant{Request: 1, Service: a.Description.ID, Instance: "i1", Host: host, Port: port}, nil
		}
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/ws", nil)
		for k, v := range kitchenHeaders("Connection", "Upgrade", "Upgrade", "websocket",
			"Sec-WebSocket-Version", "13", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==") {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || !strings.Contains(string(body), msgUpgradeFailed) {
			t.Errorf("backend %d: got %d %q, want %d with %q", tc.backend, resp.StatusCode, body, tc.want, msgUpgradeFailed)
		}
		if o := <-router.releases; o != engine.OutcomeClientError {
			t.Errorf("backend %d: released with %v, want client error", tc.backend, o)
		}
		backend.Close()
	}
}
