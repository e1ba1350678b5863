//go:build linux

package loopfront

import (
	"testing"
	"time"
)

// fakeSock is a socket that only counts what the loop asks of it.
type fakeSock struct{ d deadline }

func (*fakeSock) readable()          {}
func (*fakeSock) writable()          {}
func (s *fakeSock) timer() *deadline { return &s.d }
func (*fakeSock) expire(time.Time)   {}

func TestSocksFindsWhatWasSetAndForgetsWhatWasDeleted(t *testing.T) {
	var tab socks
	a, b, c := &fakeSock{}, &fakeSock{}, &fakeSock{}
	tab.set(3, a)
	tab.set(1000, b) // past the first growth
	tab.set(7, c)
	if tab.get(3) != a || tab.get(1000) != b || tab.get(7) != c {
		t.Fatal("a socket set is not found at its descriptor")
	}
	if tab.get(4) != nil || tab.get(-1) != nil || tab.get(5000) != nil {
		t.Fatal("a descriptor nobody set has a socket")
	}
	tab.set(7, a) // a descriptor reused by a new socket: still one held
	if tab.len() != 3 || tab.get(7) != a {
		t.Fatalf("len %d after replacing a socket, want 3", tab.len())
	}
	tab.del(3)
	tab.del(3)    // twice: nothing more
	tab.del(9999) // never set
	if tab.len() != 2 || tab.get(3) != nil {
		t.Fatalf("len %d after a delete, want 2", tab.len())
	}
}

func TestSocksAllSkipsSocketsDeletedOnTheWay(t *testing.T) {
	var tab socks
	a, b := &fakeSock{}, &fakeSock{}
	tab.set(5, a)
	tab.set(9, b)
	var seen []sock
	tab.all(func(s sock) {
		seen = append(seen, s)
		if s == a {
			tab.del(9) // closing a client closes its instance's connection too
		}
	})
	if len(seen) != 1 || seen[0] != a {
		t.Fatalf("all visited %d sockets, want only the one not deleted before its turn", len(seen))
	}
}
