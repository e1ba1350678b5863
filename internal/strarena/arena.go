package strarena

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Arena hands out byte ranges of its current chunk, each once, in order.
// It is not safe for concurrent use: take one (Take), cut, give it back
// (Done).
type Arena struct {
	free []byte // the current chunk's unused tail
}

// Chunk is the size of a chunk; a string longer than a quarter of it
// gets an allocation of its own, so a chunk is never mostly wasted.
const Chunk = 8192

var pool = sync.Pool{New: func() any { return new(Arena) }}

// Take is an arena of the pool's, the caller's until Done.
func Take() *Arena { return pool.Get().(*Arena) }

// Done gives a back to the pool; the strings cut from it stay valid.
func (a *Arena) Done() { pool.Put(a) }

// Bytes returns n fresh bytes to fill and then Seal; nothing else is ever
// given them.
func (a *Arena) Bytes(n int) []byte {
	if n > Chunk/4 {
		return make([]byte, n)
	}
	if len(a.free) < n {
		a.free = newChunk()
	}
	b := a.free[:n:n]
	a.free = a.free[n:]
	return b
}

// Seal is b, from Bytes and filled, as a string; b must not be written
// after.
func Seal(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// String is a copy of b.
func (a *Arena) String(b []byte) string {
	out := a.Bytes(len(b))
	copy(out, b)
	return Seal(out)
}

// Uint is the decimal form of n.
func (a *Arena) Uint(n uint64) string {
	var digits [20]byte
	i := len(digits)
	for {
		i--
		digits[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return a.String(digits[i:])
}

// tracking and live count the chunks made while Track is on that the
// garbage collector has not freed: a test's proof that nothing keeps a
// chunk past its requests.
var (
	tracking atomic.Bool
	live     atomic.Int64
)

// newChunk is a fresh chunk, counted while tracking.
func newChunk() []byte {
	c := make([]byte, Chunk)
	if tracking.Load() {
		live.Add(1)
		runtime.AddCleanup(&c[0], func(struct{}) { live.Add(-1) }, struct{}{})
	}
	return c
}

// Track turns the count of live chunks on or off, for tests: a chunk
// made while on is counted until it is freed (Live).
func Track(on bool) { tracking.Store(on) }

// Live is how many chunks made while tracking are still alive: in use
// by an arena, or kept by a string cut from them. It is settled only
// after a garbage collection and its cleanups have run (Settled).
func Live() int64 { return live.Load() }

// Settled is Live after a few garbage collections, each followed by a
// yield for the cleanups of the chunks it freed: pooled arenas are
// dropped by the second, and their chunks freed by the next.
func Settled() int64 {
	for range 5 {
		runtime.GC()
		runtime.Gosched()
	}
	return Live()
}
