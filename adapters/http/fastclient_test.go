package waiterhttp

import (
	"net"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
)

func listenAndHold(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	return ln.Addr().String()
}

// Idle connections past the pool's idle timeout are closed, at every
// address, when any connection is returned: an instance that is gone is
// never asked for again and must leave no open connections behind.
func TestFastPoolSweepsIdleConnections(t *testing.T) {
	gone, live := listenAndHold(t), listenAndHold(t)
	clk := clock.NewMock()
	f := newFastClients(time.Second, clk, nil)
	defer f.close()
	old, _, err := f.get(gone, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	f.put(old, clk.Now())
	clk.Add(fastIdleTimeout + time.Second)

	c, reused, err := f.get(live, clk.Now())
	if err != nil || reused {
		t.Fatalf("get: reused %v, %v", reused, err)
	}
	f.put(c, clk.Now())
	f.mu.Lock()
	left, kept := len(f.idle[gone]), len(f.idle[live])
	f.mu.Unlock()
	if left != 0 || kept != 1 {
		t.Fatalf("idle: %d at the gone address (want 0), %d at the live one (want 1)", left, kept)
	}
	if _, err := old.Write([]byte("x")); err == nil {
		t.Fatal("the expired connection is still open")
	}
	if again, reused, err := f.get(live, clk.Now()); err != nil || !reused || again != c {
		t.Fatalf("the fresh idle connection was not reused: %v %v", reused, err)
	}
}

// A router gone quiet still closes its idle connections: the sweeper
// runs fastIdleTimeout after a connection is kept, and again when the oldest one kept expires.
func TestFastPoolSweepsWithoutTraffic(t *testing.T) {
	addr := listenAndHold(t)
	clk := clock.NewMock()
	f := newFastClients(time.Second, clk, nil)
	defer f.close()
	first, _, err := f.get(addr, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := f.get(addr, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	f.put(first, clk.Now())
	clk.Add(fastIdleTimeout / 2)
	f.put(second, clk.Now())
	idle := func() int {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.idle[addr])
	}
	clk.Add(fastIdleTimeout / 2)
	if n := idle(); n != 1 {
		t.Fatalf("after the first's idle timeout: %d idle, want 1 (the second)", n)
	}
	if _, err := first.Write([]byte("x")); err == nil {
		t.Fatal("the first connection, idle past the timeout, is still open")
	}
	clk.Add(fastIdleTimeout / 2)
	if n := idle(); n != 0 {
		t.Fatalf("after the second's idle timeout: %d idle, want 0", n)
	}
	if _, err := second.Write([]byte("x")); err == nil {
		t.Fatal("the second connection, idle past the timeout, is still open")
	}
	f.mu.Lock()
	pending := f.sweeper != nil
	f.mu.Unlock()
	if pending {
		t.Fatal("a sweep is still scheduled with no connection kept")
	}
}
