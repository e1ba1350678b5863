package waiterhttp

import (
	"net"
	"net/url"
	"testing"
	"time"
)

// deadlineConn records the deadlines set on it.
type deadlineConn struct {
	net.Conn
	set []time.Time
}

func (c *deadlineConn) SetDeadline(t time.Time) error {
	c.set = append(c.set, t)
	return nil
}

func TestFastConnDeadlineMovesOnlyWhenItMust(t *testing.T) {
	dc := &deadlineConn{}
	c := &fastConn{Conn: dc}
	now := time.Unix(1_700_000_000, 0)
	const socket = 15 * time.Minute
	c.setDeadline(now, now.Add(socket))
	// The next requests within the slack (a second, for 15 minutes) keep it.
	c.setDeadline(now.Add(500*time.Millisecond), now.Add(500*time.Millisecond+socket))
	c.setDeadline(now.Add(time.Second), now.Add(time.Second+socket))
	if len(dc.set) != 1 {
		t.Fatalf("deadline set %d times within the slack, want once: %v", len(dc.set), dc.set)
	}
	// Past the slack, it moves.
	later := now.Add(1500 * time.Millisecond)
	c.setDeadline(later, later.Add(socket))
	// A shorter wait (another service's socket timeout) moves it back.
	c.setDeadline(later, later.Add(time.Second))
	// A short wait has a slack of its own size: 1/128 of 1 s is 7.8 ms.
	c.setDeadline(later.Add(10*time.Millisecond), later.Add(10*time.Millisecond+time.Second))
	want := []time.Time{now.Add(socket), later.Add(socket), later.Add(time.Second), later.Add(10*time.Millisecond + time.Second)}
	if len(dc.set) != len(want) {
		t.Fatalf("deadlines set %v, want %v", dc.set, want)
	}
	for i := range want {
		if !dc.set[i].Equal(want[i]) {
			t.Fatalf("deadlines set %v, want %v", dc.set, want)
		}
	}
}

func TestAppendRequestURIIsRequestURI(t *testing.T) {
	for _, raw := range []string{"http://h/", "http://h", "http://h/a%20b?x=1&y=%2F", "http://h/a%2Fb", "http://h/p?",
		"http://h/?q", "mailto:x@y", "http://h/a b", "http://h/%7Efoo?x"} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, force := range []bool{false, true} {
			u.ForceQuery = force
			if got, want := string(appendRequestURI(nil, u)), u.RequestURI(); got != want {
				t.Errorf("%q (ForceQuery %v): %q, want %q", raw, force, got, want)
			}
		}
	}
	opaque := &url.URL{Scheme: "http", Opaque: "//h/p", RawQuery: "a=1"}
	if got, want := string(appendRequestURI(nil, opaque)), opaque.RequestURI(); got != want {
		t.Errorf("opaque: %q, want %q", got, want)
	}
}
