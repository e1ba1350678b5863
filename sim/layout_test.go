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
