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

// While tracking, a chunk counts as live from when it is made until the
// collector frees it: while its arena or a string cut from it holds it.
func TestLiveCountsChunksUntilFreed(t *testing.T) {
	Track(true)
	defer Track(false)
	before := Settled()
	a := new(Arena)
	cache := map[string]string{"k": a.String([]byte("kept past its request"))}
	*a = Arena{} // the arena lets its chunk go; the cache holds it
	if n := Settled() - before; n != 1 {
		t.Fatalf("%d chunks live while a string of one is kept, want 1", n)
	}
	if cache["k"] != "kept past its request" {
		t.Fatalf("kept = %q", cache["k"])
	}
	delete(cache, "k")
	if n := Settled() - before; n != 0 {
		t.Errorf("%d chunks live once nothing holds them, want 0", n)
	}
}
