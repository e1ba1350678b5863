package strarena

import (
	"sync"
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
		a.free = make([]byte, Chunk)
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
