package headername

import (
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// HasWaiterPrefix is a case-insensitive x-waiter- prefix, for a string
// or its bytes: names drawn from the prefix's letters in both cases and
// a few others, so that most come close.
func TestHasWaiterPrefix(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		chars := rapid.SampledFrom([]byte("xXwWaAiItTeErR-_h"))
		name := string(rapid.SliceOfN(chars, 0, 12).Draw(t, "name"))
		if rapid.Bool().Draw(t, "canonical start") {
			name = "X-Waiter-" + name
		}
		want := len(name) >= 9 && strings.EqualFold(name[:9], "x-waiter-")
		if got := HasWaiterPrefix(name); got != want {
			t.Fatalf("HasWaiterPrefix(%q) = %v", name, got)
		}
		if got := HasWaiterPrefix([]byte(name)); got != want {
			t.Fatalf("HasWaiterPrefix([]byte(%q)) = %v", name, got)
		}
	})
	b := []byte("X-Waiter-Token")
	if n := testing.AllocsPerRun(100, func() { HasWaiterPrefix(b) }); n != 0 {
		t.Errorf("%v allocations for a name's bytes", n)
	}
}
