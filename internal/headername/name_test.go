package headername

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// Both forms give net/http's canonical name of any name, whether it comes
// canonical, interned or new, and whatever its bytes.
func TestCanonicalIsNetHTTPs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		chars := rapid.SampledFrom([]byte("aZzA09-_. :\x7f\xc3xX-"))
		k := rapid.SliceOfN(chars, 0, 24).Draw(t, "name")
		want := http.CanonicalHeaderKey(string(k))
		var tab table
		for range 2 { // new, then interned
			if got := tab.canonical(string(k)); got != want {
				t.Fatalf("canonical(%q) = %q, want %q", k, got, want)
			}
			if got := tab.canonicalBytes(k); got != want {
				t.Fatalf("canonicalBytes(%q) = %q, want %q", k, got, want)
			}
		}
	})
}

// The table stays bounded: a long name is not interned, and neither is
// anything once it holds maxInterned names (a client sending ever new
// names fills it once).
func TestTableIsBounded(t *testing.T) {
	var tab table
	long := "x-" + strings.Repeat("a", maxInternedLen)
	if got := tab.canonical(long); got != http.CanonicalHeaderKey(long) {
		t.Fatalf("canonical of a long name: %q", got)
	}
	if n := tab.len(); n != 0 {
		t.Errorf("a name of %d bytes was interned (%d names)", len(long), n)
	}
	for i := range maxInterned {
		tab.canonical("x-flood-" + strconv.Itoa(i))
		tab.canonicalBytes([]byte("X-Bytes-" + strconv.Itoa(i)))
	}
	if n := tab.len(); n != maxInterned {
		t.Errorf("%d names interned, want %d", n, maxInterned)
	}
	if got := tab.canonical("x-flood-0"); got != "X-Flood-0" {
		t.Errorf("an interned name: %q", got)
	}
}

// A name seen before costs no allocation, in either form.
func TestInternedNamesDoNotAllocate(t *testing.T) {
	var tab table
	lower, answer := "x-waiter-token", []byte("X-Kitchen-Thing")
	tab.canonical(lower)
	tab.canonicalBytes(answer)
	n := testing.AllocsPerRun(100, func() {
		if tab.canonical(lower) != "X-Waiter-Token" || tab.canonicalBytes(answer) != "X-Kitchen-Thing" {
			t.Fatal("wrong canonical name")
		}
	})
	if n > 0 {
		t.Errorf("%.1f allocations per lookup of names seen before, want none", n)
	}
}
