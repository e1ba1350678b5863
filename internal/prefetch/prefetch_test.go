package prefetch

import (
	"testing"
	"unsafe"
)

// TestLineChangesNothing prefetches every line of a buffer, past its end
// and at nil (a prefetch never faults), and checks the buffer reads as
// it was written.
func TestLineChangesNothing(t *testing.T) {
	buf := make([]byte, 4096)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	for off := 0; off <= len(buf); off += 64 {
		Line(unsafe.Add(unsafe.Pointer(unsafe.SliceData(buf)), off))
	}
	Line(nil)
	for i := range buf {
		if buf[i] != byte(i*7) {
			t.Fatalf("byte %d is %d after prefetching, want %d", i, buf[i], byte(i*7))
		}
	}
}

// TestLinesChangesNothing prefetches runs of lines, none, and a count
// that is not positive, and checks the buffer reads as it was written.
func TestLinesChangesNothing(t *testing.T) {
	buf := make([]byte, 4096)
	for i := range buf {
		buf[i] = byte(i * 13)
	}
	p := unsafe.Pointer(unsafe.SliceData(buf))
	for _, n := range []int{-1, 0, 1, 3, 64, 65} { // 65: a line past the end, which never faults
		Lines(p, n)
	}
	Lines(nil, 2)
	for i := range buf {
		if buf[i] != byte(i*13) {
			t.Fatalf("byte %d is %d after prefetching, want %d", i, buf[i], byte(i*13))
		}
	}
}
