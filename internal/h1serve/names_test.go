package h1serve

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// canonicalName is net/http's canonical form of any name, whether it
// comes canonical, interned or new, and whatever its bytes.
func TestCanonicalName(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		chars := rapid.SampledFrom([]byte("aZzA09-_. :\x7f\xc3xX-"))
		k := string(rapid.SliceOfN(chars, 0, 24).Draw(t, "name"))
		want := http.CanonicalHeaderKey(k)
		var table nameTable
		for range 2 { // new, then interned
			if got := table.canonical(k); got != want {
				t.Fatalf("canonicalName(%q) = %q, want %q", k, got, want)
			}
		}
	})
}

// The table stays bounded: a long name is not interned, and neither is
// anything once it holds maxInterned names (a client sending ever new
// names fills it once).
func TestCanonicalNameInternsBounded(t *testing.T) {
	var table nameTable
	long := "x-" + strings.Repeat("a", maxInternedLen)
	if got := table.canonical(long); got != http.CanonicalHeaderKey(long) {
		t.Fatalf("canonical of a long name: %q", got)
	}
	if _, ok := table.m.Load(long); ok {
		t.Errorf("a name of %d bytes was interned", len(long))
	}
	for i := range 2 * maxInterned {
		table.canonical("x-flood-" + strconv.Itoa(i))
	}
	n := 0
	table.m.Range(func(any, any) bool { n++; return true })
	if n != maxInterned || table.n.Load() != maxInterned {
		t.Errorf("%d names interned (counted %d), want %d", n, table.n.Load(), maxInterned)
	}
	if got := table.canonical("x-flood-0"); got != "X-Flood-0" {
		t.Errorf("an interned name: %q", got)
	}
}
