package sim

import (
	"testing"
	"unsafe"
)

// TestTaskStateFillsALine keeps a taskState at 64 bytes, the size class
// whose objects start on a cache line (see taskState): a field added,
// or one moved so that padding comes back, makes each dispatch read two
// lines of its task.
func TestTaskStateFillsALine(t *testing.T) {
	if n := unsafe.Sizeof(taskState{}); n != 64 {
		t.Fatalf("taskState is %d bytes, want 64", n)
	}
}

// TestProcStateIsTwoLines keeps an entry of r.procs at 128 bytes with
// what each arrival reads first (see procState).
func TestProcStateIsTwoLines(t *testing.T) {
	var ps procState
	if n := unsafe.Sizeof(ps); n != 128 {
		t.Fatalf("procState is %d bytes, want 128", n)
	}
	if off := unsafe.Offsetof(ps.buf); off+3*8 > 64 {
		t.Fatalf("procState.buf at byte %d: its first three arrivals leave the first line", off)
	}
}
