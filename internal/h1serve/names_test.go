package h1serve

import (
	"net/http"
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
		for range 2 { // new, then interned
			if got := canonicalName(k); got != want {
				t.Fatalf("canonicalName(%q) = %q, want %q", k, got, want)
			}
		}
	})
}
