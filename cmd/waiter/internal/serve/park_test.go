package serve

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// goroutinesIn counts the goroutines with fn on their stack.
func goroutinesIn(fn string) int {
	buf := make([]byte, 16<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			n++
		}
	}
	return n
}

// Keep-alive connections idle for parkAfter wait in the front's lot, with
// no goroutine serving them, and each is served again on the fast path
// when its next request comes, then parks again.
func TestIdleConnectionsParkAndServeAgain(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	rt, fr := startFrontRouter(t, echoBackend(&seen, &mu), goroutineFront)
	if fr == nil || fr.lot == nil {
		t.Fatal("the router built no fast front that parks")
	}
	host := strings.TrimPrefix(rt.url, "http://")
	get := "GET /park HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + "\r\n"
	const conns = 20
	var rcs []*rawConn
	for range conns {
		rc := dialRaw(t, host)
		rc.send(get)
		if status, body, closed := rc.answer("GET"); status != 200 || body != "echo /park " || closed {
			t.Fatalf("got %d %q (closing %v), want 200 and the connection kept", status, body, closed)
		}
		rcs = append(rcs, rc)
	}
	waitFor(t, "every idle connection parked", func() bool { return fr.parked() == conns })
	// Without the lot, each would be a goroutine blocked in serveConn.
	if n := goroutinesIn("h1serve.(*Server).serveConn"); n != 0 {
		t.Fatalf("%d goroutines serve connections, all %d of them parked", n, conns)
	}

	heads := fr.fastHeads.Load()
	for i, rc := range rcs {
		rc.send(get)
		if status, body, closed := rc.answer("GET"); status != 200 || body != "echo /park " || closed {
			t.Fatalf("connection %d, woken: got %d %q (closing %v), want 200 and the connection kept", i, status, body, closed)
		}
	}
	if n := fr.fastHeads.Load() - heads; n != conns {
		t.Fatalf("the fast path took %d of the %d requests on woken connections", n, conns)
	}
	waitFor(t, "the connections parked again", func() bool { return fr.parked() == conns })
}

// A parked connection is still closed at its idle timeout, not before.
func TestParkedConnectionClosedAtItsIdleTimeout(t *testing.T) {
	const idle = 2 * time.Second // longer than parkAfter, so the connection parks first
	var mu sync.Mutex
	var seen []string
	rt, fr := startFrontRouter(t, echoBackend(&seen, &mu), goroutineFront, func(c *config.Config) { c.IdleTimeout = idle })
	host := strings.TrimPrefix(rt.url, "http://")
	rc := dialRaw(t, host)
	sent := time.Now() // the router's idle time starts later than this
	rc.send("GET /idle HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + "\r\n")
	if status, _, closed := rc.answer("GET"); status != 200 || closed {
		t.Fatalf("got %d (closing %v), want 200 and the connection kept", status, closed)
	}
	answered := time.Now()
	waitFor(t, "the connection parked", func() bool { return fr.parked() == 1 })
	if _, err := rc.br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("read on the idle connection: %v, want EOF (the router closing it)", err)
	}
	if since := time.Since(sent); since < idle {
		t.Fatalf("closed %v after the request was sent, before the %v idle timeout", since, idle)
	}
	if since := time.Since(answered); since > idle+time.Second {
		t.Fatalf("closed %v after the answer, want about the %v idle timeout", since, idle)
	}
	if n := fr.parked(); n != 0 {
		t.Fatalf("%d connections parked after the only one closed", n)
	}
}

// Stopping the router closes its parked connections at once, as it does
// its idle ones.
func TestStopClosesParkedConnections(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	rt, fr := startFrontRouter(t, echoBackend(&seen, &mu), goroutineFront)
	host := strings.TrimPrefix(rt.url, "http://")
	rc := dialRaw(t, host)
	rc.send("GET /stop HTTP/1.1\r\nHost: " + host + "\r\n" + frontSvc + "\r\n")
	if status, _, closed := rc.answer("GET"); status != 200 || closed {
		t.Fatalf("got %d (closing %v), want 200 and the connection kept", status, closed)
	}
	waitFor(t, "the connection parked", func() bool { return fr.parked() == 1 })
	stopped := time.Now()
	if err := rt.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("read on the parked connection after the stop: %v, want EOF", err)
	}
	if took := time.Since(stopped); took > 5*time.Second {
		t.Fatalf("the parked connection closed %v after the stop began, want at once", took)
	}
}
