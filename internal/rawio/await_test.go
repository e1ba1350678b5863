//go:build linux

package rawio

import (
	"errors"
	"io"
	"os"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// readable is how many bytes the socket holds unread (FIONREAD).
func readable(t *testing.T, c *Conn) int {
	t.Helper()
	var n int
	var errno syscall.Errno
	if err := c.rc.Control(func(fd uintptr) {
		var v int32
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafeInt32(&v)))
		n = int(v)
	}); err != nil || errno != 0 {
		t.Fatalf("FIONREAD: %v %v", err, errno)
	}
	return n
}

// WriteAwait returns once the answer is there: it is already in the
// socket when the call returns, and Read takes it.
func TestWriteAwaitReturnsWithTheAnswerThere(t *testing.T) {
	c, peer := pair(t)
	go func() {
		buf := make([]byte, 4)
		if _, err := io.ReadFull(peer, buf); err == nil && string(buf) == "ping" {
			peer.Write([]byte("pong"))
		}
	}()
	if n, err := c.WriteAwait([]byte("ping"), nil); n != 4 || err != nil {
		t.Fatalf("WriteAwait = %d, %v", n, err)
	}
	if got := readable(t, c); got != 4 {
		t.Fatalf("%d bytes readable when WriteAwait returned, want the answer's 4", got)
	}
	buf := make([]byte, 8)
	if n, err := c.Read(buf); err != nil || string(buf[:n]) != "pong" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
}

// With no answer, WriteAwait waits until the read deadline, and the
// deadline is the next Read's error, not WriteAwait's: the request was
// written.
func TestWriteAwaitWaitsUntilTheReadDeadline(t *testing.T) {
	c, peer := pair(t)
	const wait = 50 * time.Millisecond
	start := time.Now()
	c.SetReadDeadline(start.Add(wait))
	if n, err := c.WriteAwait([]byte("ping"), nil); n != 4 || err != nil {
		t.Fatalf("WriteAwait = %d, %v", n, err)
	}
	if took := time.Since(start); took < wait {
		t.Fatalf("WriteAwait returned after %v, before the %v deadline, with nothing to read", took, wait)
	}
	if _, err := c.Read(make([]byte, 4)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read after the deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(peer, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("peer read %q, %v", buf, err)
	}
}

// The peer's close ends the wait; Read then says EOF.
func TestWriteAwaitEndsWhenThePeerCloses(t *testing.T) {
	c, peer := pair(t)
	go func() {
		io.ReadFull(peer, make([]byte, 4))
		peer.Close()
	}()
	if n, err := c.WriteAwait([]byte("ping"), nil); n != 4 || err != nil {
		t.Fatalf("WriteAwait = %d, %v", n, err)
	}
	if _, err := c.Read(make([]byte, 4)); err != io.EOF {
		t.Fatalf("Read = %v, want io.EOF", err)
	}
}

// More than the send buffer takes: the rest is written as Write writes
// it, every byte in order, and no wait for an answer holds the call.
func TestWriteAwaitLargerThanTheSendBuffer(t *testing.T) {
	c, peer := pair(t)
	checkLargeWrite(t, c, peer, func(p []byte) (int, error) { return c.WriteAwait(p, nil) })
}

// A deadline passed before the call is the write's error, as Write's.
func TestWriteAwaitAfterTheDeadline(t *testing.T) {
	c, _ := pair(t)
	c.SetDeadline(time.Now().Add(-time.Second))
	if n, err := c.WriteAwait([]byte("ping"), nil); n != 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("WriteAwait = %d, %v, want 0 and os.ErrDeadlineExceeded", n, err)
	}
}

func unsafeInt32(p *int32) uintptr { return uintptr(unsafe.Pointer(p)) }

// written runs once every byte is written, before the wait: a caller can
// give back the buffer while it waits.
func TestWriteAwaitCallsWrittenBeforeTheWait(t *testing.T) {
	c, peer := pair(t)
	released := make(chan struct{})
	go func() {
		buf := make([]byte, 4)
		if _, err := io.ReadFull(peer, buf); err != nil {
			return
		}
		<-released // the answer only after written ran, inside the wait
		peer.Write([]byte("pong"))
	}()
	calls := 0
	n, err := c.WriteAwait([]byte("ping"), func() { calls++; close(released) })
	if n != 4 || err != nil || calls != 1 {
		t.Fatalf("WriteAwait = %d, %v with written called %d times, want 4, nil, once", n, err, calls)
	}
	if got := readable(t, c); got != 4 {
		t.Fatalf("%d bytes readable when WriteAwait returned, want the answer's 4", got)
	}
}

// written is not called when the write fails.
func TestWriteAwaitFailedWriteCallsNoWritten(t *testing.T) {
	c, _ := pair(t)
	c.SetDeadline(time.Now().Add(-time.Second))
	if _, err := c.WriteAwait([]byte("ping"), func() { t.Error("written called for a failed write") }); err == nil {
		t.Fatal("WriteAwait past the deadline succeeded")
	}
}
