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
