// Package burn spends a calibrated amount of CPU on every request of
// proxybench's bare event-loop proxies (their -work flag).
package burn

import (
	"runtime"
	"time"

	"github.com/waiter-go/waiter/internal/threadcpu"
)

// Burner spends a fixed amount of CPU on every request (-work): it
// stands in for what a router does per request on top of framing and
// copying (Waiter's own work, its handler over a bare fasthttp proxy in
// adapters/http's BenchmarkProxyToken, is 3-5 µs), so that proxybench
// can show where such a router would land on this floor. It is a
// calibrated loop of arithmetic, with no memory traffic: real work,
// which misses caches, costs at least as much.
type Burner struct {
	iters int // read only once calibrated: every loop burns on it
}

// New calibrates a Burner to spend about d of CPU per burn.
func New(d time.Duration) *Burner {
	b := &Burner{iters: 1 << 22}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	best, sink := time.Duration(1<<63-1), uint64(0)
	for range 5 {
		start := time.Duration(threadcpu.Nanos())
		sink = b.Burn(sink)
		best = min(best, time.Duration(threadcpu.Nanos())-start)
	}
	b.iters = max(1, int(float64(b.iters)*float64(d)/float64(max(best, 1))))
	if sink == 0 {
		b.iters++ // never: it uses sink so that the loop is not optimized away
	}
	return b
}

// Burn runs the calibrated loop once from seed; the caller keeps the
// result, so that the compiler cannot drop the loop.
func (b *Burner) Burn(seed uint64) uint64 {
	x := seed | 1
	for range b.iters {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}
