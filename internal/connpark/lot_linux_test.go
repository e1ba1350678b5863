//go:build linux

package connpark

import (
	"errors"
	"io"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// pair returns both ends of a loopback TCP connection; the test closes
// them.
func pair(t *testing.T, ln net.Listener) (client, server net.Conn) {
	t.Helper()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close(); _ = server.Close() })
	return client, server
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln
}

// lot starts a Lot whose wakes and expiries go to the channels returned.
func lot(t *testing.T) (*Lot, chan net.Conn, chan net.Conn) {
	t.Helper()
	woken, expired := make(chan net.Conn, 4096), make(chan net.Conn, 4096)
	l, err := New(func(c net.Conn) { woken <- c }, func(c net.Conn) { expired <- c })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	return l, woken, expired
}

func park(t *testing.T, l *Lot, c net.Conn, until time.Time) {
	t.Helper()
	if err := l.Park(c, c.(syscall.Conn), until); err != nil {
		t.Fatal(err)
	}
}

func receive(t *testing.T, ch chan net.Conn, what string) net.Conn {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(10 * time.Second):
		t.Fatalf("no connection %s in 10s", what)
		return nil
	}
}

func none(t *testing.T, ch chan net.Conn, what string, wait time.Duration) {
	t.Helper()
	select {
	case <-ch:
		t.Fatalf("a connection %s, want none", what)
	case <-time.After(wait):
	}
}

func TestParkedConnectionWakesWithItsBytesUnread(t *testing.T) {
	l, woken, expired := lot(t)
	client, server := pair(t, listen(t))
	park(t, l, server, time.Now().Add(time.Minute))
	if n := l.Len(); n != 1 {
		t.Fatalf("Len %d after Park, want 1", n)
	}
	none(t, woken, "woke before its client wrote", 50*time.Millisecond)
	if _, err := client.Write([]byte("GET / HTTP/1.1\r\n")); err != nil {
		t.Fatal(err)
	}
	if c := receive(t, woken, "woken"); c != server {
		t.Fatalf("woke %v, want the parked connection", c)
	}
	if n := l.Len(); n != 0 {
		t.Fatalf("Len %d after the wake, want 0", n)
	}
	buf := make([]byte, 64)
	n, err := server.Read(buf)
	if err != nil || string(buf[:n]) != "GET / HTTP/1.1\r\n" {
		t.Fatalf("read %q, %v after the wake; want the client's bytes, untouched", buf[:n], err)
	}
	none(t, expired, "expired", 10*time.Millisecond)
}

func TestBytesSentBeforeParkWakeAtOnce(t *testing.T) {
	l, woken, _ := lot(t)
	client, server := pair(t, listen(t))
	if _, err := client.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // the byte reaches the server's socket; it must wake either way
	park(t, l, server, time.Now().Add(time.Minute))
	receive(t, woken, "woken by bytes that came before Park")
}

func TestPeerCloseWakes(t *testing.T) {
	l, woken, _ := lot(t)
	client, server := pair(t, listen(t))
	park(t, l, server, time.Now().Add(time.Minute))
	_ = client.Close()
	c := receive(t, woken, "woken by its peer's close")
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read after the wake: %v, want EOF", err)
	}
}

func TestQuietConnectionExpiresAtItsDeadline(t *testing.T) {
	l, woken, expired := lot(t)
	_, server := pair(t, listen(t))
	start := time.Now()
	park(t, l, server, start.Add(200*time.Millisecond))
	if c := receive(t, expired, "expired"); c != server {
		t.Fatalf("expired %v, want the parked connection", c)
	}
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Fatalf("expired after %v, before its deadline (200ms)", took)
	}
	if n := l.Len(); n != 0 {
		t.Fatalf("Len %d after the expiry, want 0", n)
	}
	none(t, woken, "woken", 10*time.Millisecond)
}

func TestParkAgainAfterAWake(t *testing.T) {
	l, woken, _ := lot(t)
	client, server := pair(t, listen(t))
	buf := make([]byte, 8)
	for i := range 3 {
		park(t, l, server, time.Now().Add(time.Minute))
		if _, err := client.Write([]byte{'a' + byte(i)}); err != nil {
			t.Fatal(err)
		}
		receive(t, woken, "woken")
		if n, err := server.Read(buf); err != nil || n != 1 || buf[0] != 'a'+byte(i) {
			t.Fatalf("round %d: read %q, %v", i, buf[:n], err)
		}
	}
}

func TestCloseExpiresEveryParkedConnection(t *testing.T) {
	l, woken, expired := lot(t)
	ln := listen(t)
	const n = 50
	for range n {
		_, server := pair(t, ln)
		park(t, l, server, time.Now().Add(time.Hour))
	}
	l.Close()
	if got := len(expired); got != n {
		t.Fatalf("Close expired %d connections, want %d", got, n)
	}
	_, server := pair(t, ln)
	if err := l.Park(server, server.(syscall.Conn), time.Now().Add(time.Hour)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Park after Close: %v, want ErrClosed", err)
	}
	none(t, woken, "woken", 10*time.Millisecond)
}

// TestManyConnectionsNoGoroutineEach parks 1,000 connections: the lot
// adds no goroutine per connection, and each wakes exactly once when its
// client writes, whatever the order.
func TestManyConnectionsNoGoroutineEach(t *testing.T) {
	l, woken, expired := lot(t)
	ln := listen(t)
	const n = 1000
	clients := make([]net.Conn, n)
	servers := map[net.Conn]bool{}
	before := runtime.NumGoroutine()
	for i := range n {
		c, s := pair(t, ln)
		clients[i] = c
		servers[s] = false
		park(t, l, s, time.Now().Add(time.Hour))
	}
	if g := runtime.NumGoroutine() - before; g > 2 {
		t.Fatalf("%d goroutines more with %d connections parked, want none per connection", g, n)
	}
	for i := n - 1; i >= 0; i -= 2 { // odd ones last to first, then even ones first to last
		_, _ = clients[i].Write([]byte("x"))
	}
	for i := 0; i < n; i += 2 {
		_, _ = clients[i].Write([]byte("x"))
	}
	for range n {
		c := receive(t, woken, "woken")
		was, ok := servers[c]
		if !ok || was {
			t.Fatalf("woke %v: parked %v, woken before %v", c, ok, was)
		}
		servers[c] = true
	}
	none(t, woken, "woken twice", 20*time.Millisecond)
	if l.Len() != 0 || len(expired) != 0 {
		t.Fatalf("Len %d, %d expired after every connection woke; want 0, 0", l.Len(), len(expired))
	}
}
