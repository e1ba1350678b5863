package serve

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// gcHeapFloor is the heap growth the router allows itself between
// collections however small its live heap: Go's default (GOGC=100)
// collects when the heap doubles, and an idle router's live heap is a few
// MB, so under load it collected about 8 times a second (4 MB live, 8 MB
// goal), about 4-5 % of the CPU of a proxied request. With the floor, the
// goal is max(2 x live, live + 32 MB): a few collections a minute at the
// same load, and at most 32 MB more heap than GOGC=100 would hold, only
// while the live heap is under 32 MB (a large router is not affected).
const gcHeapFloor = 32 << 20

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

// gcFloor keeps the heap goal at least gcHeapFloor above the live heap,
// adjusting GOGC after every collection (a finalizer runs after each),
// unless the operator set GOGC or GOMEMLIMIT. stop ends it.
type gcFloor struct {
	mu      sync.Mutex
	stopped bool
	sample  [1]metrics.Sample
}

func startGCFloor() (stop func()) {
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
		debug.SetGCPercent(gcPercentFor(f.sample[0].Value.Uint64(), gcHeapFloor))
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
