package gcfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Floor is the heap growth a process allows itself between collections
// however small its live heap. With it the goal is max(2 x live, live +
// 32 MB): for a router under load (4 MB live, 8 MB goal by default) a few
// collections a minute instead of 8 a second, and at most 32 MB more heap
// than GOGC=100 would hold, only while the live heap is under 32 MB (a
// large process is not affected).
const Floor = 32 << 20

// maxGCPercent bounds the GOGC the floor sets (a live heap of 2 MB).
const maxGCPercent = 1600

// gcPercentFor is the GOGC that makes the heap goal live + floor, never
// below Go's default.
func gcPercentFor(live, floor uint64) int {
	if live == 0 {
		return maxGCPercent
	}
	return int(min(max(100, floor*100/live), maxGCPercent))
}

// gcFloor adjusts GOGC after every collection (a finalizer runs after
// each).
type gcFloor struct {
	mu      sync.Mutex
	stopped bool
	sample  [1]metrics.Sample
}

// Start keeps the heap goal at least Floor above the live heap until
// stop, which gives Go's default (GOGC=100) back; unless the environment
// sets GOGC or GOMEMLIMIT, when it does nothing.
func Start() (stop func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	f := &gcFloor{}
	f.sample[0].Name = "/gc/heap/live:bytes"
	f.adjust()
	f.arm()
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.stopped {
			f.stopped = true
			debug.SetGCPercent(100)
		}
	}
}

// adjust sets GOGC from the live heap the last collection found; it
// reports false once stopped.
func (f *gcFloor) adjust() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped {
		return false
	}
	metrics.Read(f.sample[:])
	if f.sample[0].Value.Kind() == metrics.KindUint64 {
		debug.SetGCPercent(gcPercentFor(f.sample[0].Value.Uint64(), Floor))
	}
	return true
}

// gcSentinel is garbage whose finalizer runs after the collection that
// found it unreachable (it has a pointer: not a tiny allocation, whose
// finalizer might never run).
type gcSentinel struct{ f *gcFloor }

func (f *gcFloor) arm() {
	runtime.SetFinalizer(&gcSentinel{f: f}, func(s *gcSentinel) {
		if s.f.adjust() {
			s.f.arm()
		}
	})
}
