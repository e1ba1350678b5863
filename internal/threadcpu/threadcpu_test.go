package threadcpu

import (
	"runtime"
	"testing"
)

// TestNanosCountsTheThreadsWork: spinning on the locked thread moves its
// CPU time forward, and the clock never goes back.
func TestNanosCountsTheThreadsWork(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := Nanos()
	x := uint64(1)
	for i := 0; Nanos() == start; i++ {
		if i == 10_000 {
			t.Fatal("CPU time did not move after 655 M steps of work")
		}
		for range 1 << 16 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
	}
	if x == 0 {
		t.Fatal("the loop's state cannot be 0")
	}
	if end := Nanos(); end < start {
		t.Fatalf("went back: %d then %d", start, end)
	}
}
