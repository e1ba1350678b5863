package leakcheck

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// A dial net/http goes on with after its request was canceled is not a
// leak: it ends by itself. The dial here hangs for as long as the test
// wants: its listener's accept queue (backlog 0) holds one connection,
// and the kernel drops the SYNs of the next ones.
func TestADialGoingOnIsNoLeak(t *testing.T) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	// The queued connection, and proof that the next connect hangs.
	queued, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer queued.Close()
	if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
		c.Close()
		t.Fatal("the kernel accepted a connection past a full accept queue: the test has no dial to leave hanging")
	}
	tr := &http.Transport{}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/", nil)
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("a request to a listener that takes no connection was answered")
	}
	if got := After(0); got != 0 {
		t.Errorf("After(0) with only net/http's dial going on = %d, want 0", got)
	}
	// The dial ends with the listener: its next SYN draws a reset.
	_ = syscall.Close(fd)
}
