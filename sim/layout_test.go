package sim

import (
	"testing"
	"unsafe"
)

// TestTaskHotIsHalfALine keeps a taskHot at 32 bytes (see taskHot): a
// field added, or one moved so that padding comes back, makes the
// dispatches of two tasks share no line and some straddle two.
func TestTaskHotIsHalfALine(t *testing.T) {
	if n := unsafe.Sizeof(taskHot{}); n != 32 {
		t.Fatalf("taskHot is %d bytes, want 32", n)
	}
}
