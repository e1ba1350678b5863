package h1serve

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// deadlineConn counts the read deadlines set on a connection; moved makes
// it report, once, that it moved its own (as h1guard.Split does).
type deadlineConn struct {
	net.Conn
	mu    sync.Mutex
	sets  int
	moved atomic.Bool
}

func (c *deadlineConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	if !t.IsZero() {
		c.sets++
	}
	c.mu.Unlock()
	return c.Conn.SetReadDeadline(t)
}

func (c *deadlineConn) MovedReadDeadline() bool { return c.moved.Swap(false) }

func (c *deadlineConn) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sets
}

// serveCounted serves one connection with s through a deadlineConn and
// returns the client's end, the wrapper, and a channel closed when
// ServeConn returned.
func serveCounted(t *testing.T, s *Server) (net.Conn, *deadlineConn, chan struct{}) {
	t.Helper()
	client, raw := loopbackPair(t)
	dc := &deadlineConn{Conn: raw}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ServeConn(dc)
		_ = raw.Close()
	}()
	t.Cleanup(func() {
		_ = client.Close()
		<-done
	})
	return client, dc, done
}

func get(t *testing.T, c net.Conn, br *bufio.Reader, i int) {
	t.Helper()
	fmt.Fprintf(c, "GET /%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("request %d: %v", i, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

// A busy keep-alive connection moves its idle deadline about once per
// idleSlack, not once per request; a deadline the connection moved itself
// is set again at the next wait.
func TestIdleDeadlineMovedOnlyWhenDue(t *testing.T) {
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }),
		ReadHeaderTimeout: time.Minute, IdleTimeout: time.Minute}
	c, dc, _ := serveCounted(t, s)
	br := bufio.NewReader(c)
	const n = 100
	for i := range n {
		get(t, c, br, i)
	}
	// The first head's deadline, then one idle deadline for 99 waits
	// (the test runs well within idleSlack, a second).
	if got := dc.count(); got > 3 {
		t.Errorf("%d read deadlines set for %d requests, want at most 3", got, n)
	}
	before := dc.count()
	dc.moved.Store(true)
	get(t, c, br, n)
	get(t, c, br, n+1) // its wait finds the moved deadline
	if got := dc.count() - before; got != 1 {
		t.Errorf("%d read deadlines set after the connection moved its own, want 1", got)
	}
}

// An idle keep-alive connection is still closed after IdleTimeout (at
// most idleSlack later), counted from its last request, however many
// requests came before.
func TestIdleDeadlineStillCloses(t *testing.T) {
	const idle = 200 * time.Millisecond
	s := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }),
		ReadHeaderTimeout: idle, IdleTimeout: idle}
	c, _, done := serveCounted(t, s)
	br := bufio.NewReader(c)
	for i := range 5 {
		get(t, c, br, i)
		time.Sleep(idle / 4) // each wait shorter than the timeout: served on
	}
	last := time.Now()
	get(t, c, br, 5)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("idle connection not closed")
	}
	took := time.Since(last)
	if took < idle || took > idle+idleSlack(idle)+time.Second {
		t.Errorf("idle connection closed %v after its last request, want %v to %v", took, idle, idle+idleSlack(idle))
	}
}
