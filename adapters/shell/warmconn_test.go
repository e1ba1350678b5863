package shell

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/warmconn"
)

// The probe that finds an instance ready leaves its connection in
// Config.WarmConns, by the instance's address, before the router hears
// of it: the proxy's first request there takes it instead of connecting,
// and the connection carries that request. A service the proxy does not
// speak HTTP/1.1 to gets none.
func TestReadyInstancesProbeConnectionGoesToTheProxy(t *testing.T) {
	t.Parallel()
	warm := warmconn.New(time.Minute)
	t.Cleanup(warm.Close)
	s := newTestScheduler(t, func(c *Config) { c.WarmConns = warm })
	ready := func(d *engine.Description) engine.ObservedInstance {
		create(t, s, d, 1)
		return waitObs(t, s, d.ID, "a healthy instance", healthy(1)).Instances[0]
	}

	in := ready(describe(t, engine.Params{"name": "warm"}))
	conn := warm.Take(net.JoinHostPort(Host, strconv.Itoa(in.Port)))
	if conn == nil {
		t.Fatalf("no connection kept for %s's port %d", in.ID, in.Port)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(waitTimeout))
	if _, err := io.WriteString(conn, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("a request on the probe's connection: %v %v", resp, err)
	}

	in = ready(describe(t, engine.Params{"name": "warmh2c", "backend-proto": "h2c"}))
	if c := warm.Take(net.JoinHostPort(Host, strconv.Itoa(in.Port))); c != nil {
		_ = c.Close()
		t.Error("h2c: a connection was kept")
	}
	if n := warm.Len(); n != 0 {
		t.Errorf("%d connections kept for other addresses", n)
	}
}
