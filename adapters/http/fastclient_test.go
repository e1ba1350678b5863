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
	f := newFastClients(time.Second, clk)
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
