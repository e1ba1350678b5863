package waiterhttp

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// panickySocket is an instance's side of a websocket whose first read
// panics: a bug of the router's code in the relay's copy.
type panickySocket struct{}

func (panickySocket) Read([]byte) (int, error)    { panic("a bug in the websocket relay") }
func (panickySocket) Write(p []byte) (int, error) { return len(p), nil }
func (panickySocket) Close() error                { return nil }

// A panic in a websocket's relay, whose copies are goroutines of their
// own, closes that socket as if a side had closed it: the router goes on
// (without containPump the test binary dies), the client's connection
// ends, the grant is released once, and the panic is counted.
func TestWebsocketRelayPanicClosesOnlyItsSocket(t *testing.T) {
	srv, router, addr := socketEdge(t, func(c *Config) {
		c.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusSwitchingProtocols, Status: "101 Switching Protocols",
				Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: r,
				Header: http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}},
				Body:   panickySocket{}}, nil
		})
	})
	router.releases = make(chan engine.Outcome, 2)
	router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{Request: 1, Service: a.Description.ID, Instance: "i1", Host: "127.0.0.1", Port: 1}, nil
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	var head strings.Builder
	head.WriteString("GET /ws HTTP/1.1\r\nHost: " + addr + "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
	for k, v := range kitchenHeaders() {
		head.WriteString(k + ": " + v + "\r\n")
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("handshake: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %s, want 101", resp.Status)
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Errorf("after the relay panicked the client read %q, %v; want its connection closed", rest, err)
	}
	select {
	case o := <-router.releases:
		if o != engine.OutcomeSuccess {
			t.Errorf("released with %v, want success (the socket ended)", o)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("grant never released after the relay panicked")
	}
	var counted dto.Metric
	if err := srv.metrics.panics.Write(&counted); err != nil || counted.GetCounter().GetValue() != 1 {
		t.Errorf("waiter_router_panics_total %v (%v), want 1", counted.GetCounter().GetValue(), err)
	}
	select {
	case o := <-router.releases:
		t.Errorf("released a second time (%v)", o)
	default:
	}
}
