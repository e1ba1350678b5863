package headername

import (
	"net/http"
	"strings"
	"testing"
	"unsafe"

	"pgregory.net/rapid"
)

// A Cache gives net/http's canonical name of every name, whether its slot
// is empty, holds it, or holds another name (a few short names from a
// few letters: slots collide and names come back in other cases).
func TestCacheIsNetHTTPs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var c Cache
		chars := rapid.SampledFrom([]byte("aAbB-x_ "))
		for i, n := 0, rapid.IntRange(1, 200).Draw(t, "names"); i < n; i++ {
			k := string(rapid.SliceOfN(chars, 1, 6).Draw(t, "name"))
			if got, want := c.Canonical(k), http.CanonicalHeaderKey(k); got != want {
				t.Fatalf("Canonical(%q) = %q, want %q", k, got, want)
			}
		}
	})
}

// A slot never keeps the name it was given, which is cut from a head: a
// string of the head kept in a loop's cache would keep the head's whole
// chunk of the arena alive for as long as the loop runs.
func TestCacheKeepsNoBytesOfTheHead(t *testing.T) {
	var c Cache
	head := strings.Repeat("x", 100) + "x-waiter-token: t\r\naccept: */*\r\nX-Canonical: 1\r\n"
	lo := uintptr(unsafe.Pointer(unsafe.StringData(head)))
	hi := lo + uintptr(len(head))
	for _, name := range []string{head[100:114], head[119:125], head[133:144]} {
		c.Canonical(name)
		c.Canonical(name) // from its slot
	}
	for i, e := range c.slots {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(e.sent))); e.sent != "" && p >= lo && p < hi {
			t.Errorf("slot %d keeps %q, bytes of the head", i, e.sent)
		}
	}
	if c.Canonical(head[100:114]) != "X-Waiter-Token" {
		t.Error("a lower-case name, from its slot: not canonical")
	}
}

// A name found in its slot costs no allocation.
func TestCacheHitDoesNotAllocate(t *testing.T) {
	var c Cache
	name := string([]byte("x-waiter-token"))
	c.Canonical(name)
	if n := testing.AllocsPerRun(100, func() { c.Canonical(name) }); n != 0 {
		t.Errorf("%v allocations a name", n)
	}
}
