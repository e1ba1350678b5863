package strarena

import (
	"strconv"
	"testing"

	"pgregory.net/rapid"
)

// What an arena hands out never changes, whatever it hands out after:
// each string has bytes of its own, across chunks, for long strings too,
// and through the pool.
func TestStringsStayPut(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var got, want []string
		for _, s := range rapid.SliceOfN(rapid.StringN(0, Chunk/2, -1), 1, 200).Draw(t, "strings") {
			a := Take()
			got = append(got, a.String([]byte(s)))
			want = append(want, s)
			n := rapid.Uint64().Draw(t, "n")
			got = append(got, a.Uint(n))
			want = append(want, strconv.FormatUint(n, 10))
			a.Done()
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("string %d is %q, want %q", i, got[i], want[i])
			}
		}
	})
}

// Cutting strings allocates once per chunk, not once per string.
func TestAllocatesPerChunk(t *testing.T) {
	a := new(Arena)
	value := []byte("text/plain; charset=utf-8")
	n := testing.AllocsPerRun(100, func() {
		_ = a.String(value) // 25 bytes: a chunk holds hundreds
		_ = a.Uint(12345)
	})
	if n > 0 {
		t.Errorf("%.2f allocations per cut, want none in the steady state", n)
	}
}
