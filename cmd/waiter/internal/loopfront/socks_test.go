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
	high := sliceFDs + 5 // past the slice's cap: in the map
	tab.set(3, a)
	tab.set(1000, b) // past the first growth
	tab.set(7, c)
	tab.set(high, c)
	if tab.get(3) != a || tab.get(1000) != b || tab.get(7) != c || tab.get(high) != c {
		t.Fatal("a socket set is not found at its descriptor")
	}
	if tab.get(4) != nil || tab.get(-1) != nil || tab.get(5000) != nil || tab.get(high+1) != nil {
		t.Fatal("a descriptor nobody set has a socket")
	}
	if len(tab.byFD) > sliceFDs {
		t.Fatalf("the slice grew to %d entries, past its cap of %d", len(tab.byFD), sliceFDs)
	}
	tab.set(7, a) // a descriptor reused by a new socket: still one held
	tab.set(high, a)
	if tab.len() != 4 || tab.get(7) != a || tab.get(high) != a {
		t.Fatalf("len %d after replacing two sockets, want 4", tab.len())
	}
	tab.del(3)
	tab.del(3)    // twice: nothing more
	tab.del(9999) // never set
	tab.del(high)
	tab.del(high)
	if tab.len() != 2 || tab.get(3) != nil || tab.get(high) != nil {
		t.Fatalf("len %d after two deletes, want 2", tab.len())
	}
}

func TestSocksAllSkipsSocketsDeletedOnTheWay(t *testing.T) {
	var tab socks
	a, b, c := &fakeSock{}, &fakeSock{}, &fakeSock{}
	tab.set(5, a)
	tab.set(9, b)
	tab.set(sliceFDs, c)
	var seen []sock
	tab.all(func(s sock) {
		seen = append(seen, s)
		if s == a {
			tab.del(9) // closing a client closes its instance's connection too
		}
	})
	if len(seen) != 2 || seen[0] != a || seen[1] != c {
		t.Fatalf("all visited %d sockets, want the two not deleted before their turn", len(seen))
	}
}
