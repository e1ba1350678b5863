//go:build linux

package loopfront

import (
	"net"
	"slices"
	"testing"
	"time"
)

// fakeTimed records when its deadline expired.
type fakeTimed struct {
	deadline
	name    string
	expired *[]string
}

func (f *fakeTimed) timer() *deadline     { return &f.deadline }
func (f *fakeTimed) expire(now time.Time) { *f.expired = append(*f.expired, f.name) }
func (f *fakeTimed) String() string       { return f.name }
func (f *fakeTimed) closed() *fakeTimed   { f.deadline.gone = true; return f }

// Compacting drops the entries of sockets that are gone or have no
// deadline, keeps one per socket that has one, and the deadlines still
// come in order (a socket whose deadline moved later, earlier, or not).
func TestTimersCompactKeepsTheDeadlines(t *testing.T) {
	var tm timers
	var expired []string
	base := time.Unix(1000, 0)
	mk := func(name string) *fakeTimed { return &fakeTimed{name: name, expired: &expired} }
	later, earlier, same, cleared := mk("later"), mk("earlier"), mk("same"), mk("cleared")
	tm.set(later, base.Add(3*time.Second))
	tm.set(earlier, base.Add(5*time.Second))
	tm.set(same, base.Add(4*time.Second))
	tm.set(cleared, base.Add(1*time.Second))
	for i := range 5000 { // closed connections' idle entries
		tm.set(mk("gone").closed(), base.Add(time.Duration(i)*time.Millisecond))
	}
	tm.set(later, base.Add(6*time.Second))   // moved later: lazily, no entry
	tm.set(earlier, base.Add(2*time.Second)) // moved earlier: an entry of its own
	tm.set(cleared, time.Time{})
	if !tm.overgrown(4) {
		t.Fatalf("%d entries for 4 sockets: not overgrown", len(tm.h))
	}
	tm.compact()
	if len(tm.h) != 3 {
		t.Fatalf("%d entries after compacting, want 3 (later, earlier, same)", len(tm.h))
	}
	for _, e := range tm.h {
		if d := e.s.timer(); d.entries != 1 || !d.earliest.Equal(d.at) || !e.at.Equal(d.at) {
			t.Errorf("%v: entry at %v, deadline %+v", e.s, e.at, *d)
		}
	}
	tm.run(base.Add(10 * time.Second))
	if want := []string{"earlier", "same", "later"}; !slices.Equal(expired, want) {
		t.Errorf("expired %v, want %v", expired, want)
	}
	if len(tm.h) != 0 {
		t.Errorf("%d entries left", len(tm.h))
	}
}

// With a new connection per request, a loop's heap does not keep every
// closed connection's idle-timeout entry for the idle timeout.
func TestClosedConnectionsDoNotPileUpInTheTimers(t *testing.T) {
	f, ln := acceptingFront(t, func(c *Config) { c.IdleTimeout = time.Hour })
	const conns = 3000
	for range conns {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = c.Write([]byte("GET /x HTTP/1.1\r\nHost: h\r\n\r\n"))
		_, _ = c.Read(make([]byte, 512))
		_ = c.Close()
	}
	f.Close() // the loop stops: its heap is the test's to read
	if n := len(f.loops[0].timers.h); n > compactSlack+64 {
		t.Errorf("%d timer entries after %d connections, want at most %d", n, conns, compactSlack+64)
	}
	if f.Accepted() != conns {
		t.Errorf("accepted %d, want %d", f.Accepted(), conns)
	}
}
