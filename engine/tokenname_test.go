package engine

import (
	"regexp"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// TestTokenNameRuleMatchesPattern holds the byte-by-byte check to the
// regular expression it stands for, on names drawn mostly from the
// pattern's own alphabet (and any byte besides).
func TestTokenNameRuleMatchesPattern(t *testing.T) {
	pattern := regexp.MustCompile(TokenNamePattern)
	for _, name := range []string{"", "a", "ab", "a1", "1a", "kit", "my-token.v2_x$", "a b", "é1", "a\xff", "-a", "A-"} {
		if got, want := matchesTokenNamePattern(name), pattern.MatchString(name); got != want {
			t.Fatalf("%q: %v, the pattern says %v", name, got, want)
		}
	}
	alphabet := []byte("aZz0-_$.9 /\x00\xff")
	rapid.Check(t, func(t *rapid.T) {
		b := rapid.SliceOfN(rapid.OneOf(rapid.SampledFrom(alphabet), rapid.Byte()), 0, 12).Draw(t, "name")
		name := string(b)
		if got, want := matchesTokenNamePattern(name), pattern.MatchString(name); got != want {
			t.Fatalf("%q: %v, the pattern says %v", name, got, want)
		}
	})
}

// IsTokenName is ValidTokenName's verdict, without its error.
func TestIsTokenNameIsValidTokenName(t *testing.T) {
	for _, name := range []string{"", "h", "kit", "127.0.0.1", "a\xff", "é1", strings.Repeat("t", MaxTokenNameLength),
		strings.Repeat("t", MaxTokenNameLength+1), strings.Repeat("é", MaxTokenNameLength)} {
		if got, want := IsTokenName(name), ValidTokenName(name) == nil; got != want {
			t.Fatalf("%.40q: IsTokenName %v, ValidTokenName accepts: %v", name, got, want)
		}
	}
	alphabet := []byte("aZz0-_$.9 /\x00\xff")
	rapid.Check(t, func(t *rapid.T) {
		b := rapid.SliceOfN(rapid.OneOf(rapid.SampledFrom(alphabet), rapid.Byte()), 0, MaxTokenNameLength+2).Draw(t, "name")
		name := string(b)
		if got, want := IsTokenName(name), ValidTokenName(name) == nil; got != want {
			t.Fatalf("%.40q: IsTokenName %v, ValidTokenName accepts: %v", name, got, want)
		}
	})
	if n := testing.AllocsPerRun(100, func() { _ = IsTokenName("127.0.0.1") }); n != 0 {
		t.Fatalf("IsTokenName allocates %v times", n)
	}
}
