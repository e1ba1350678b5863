package gcfloor

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestGCPercentFor(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, maxGCPercent},
		{1 << 20, maxGCPercent}, // 1 MB: 3200 %, bounded
		{4 << 20, 800},          // goal 36 MB
		{16 << 20, 200},         // goal 48 MB
		{32 << 20, 100},         // Go's default from here on
		{1 << 30, 100},
	} {
		if got := gcPercentFor(c.live, Floor); got != c.want {
			t.Errorf("live heap %d: GOGC %d, want %d", c.live, got, c.want)
		}
	}
}

// After a collection the floor has set GOGC from the live heap (this
// test's, well under 32 MB), and stop gives Go's default back.
func TestGCFloorSetsGOGCAfterCollections(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	debug.SetGCPercent(100)
	stop := Start()
	// The finalizer goroutine adjusts after a collection, not during it.
	for deadline := time.Now().Add(5 * time.Second); gcPercentNow() <= 100; {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("GOGC %d after collections with a small live heap, want above 100", gcPercentNow())
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	stop()
	runtime.GC()
	runtime.GC()
	if got := gcPercentNow(); got != 100 {
		t.Fatalf("GOGC %d after stop, want 100", got)
	}
}

func gcPercentNow() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}
