package sim

import (
	"container/heap"
	"time"
)

// arrivalHeap orders load processes by their next arrival. Arrivals are
// the most frequent event; keeping them out of the main event heap halves
// its traffic. Ties break by process index, and the main loop handles an
// arrival before a main-heap event at the same instant, so the order is
// fixed and runs stay deterministic.
type arrivalHeap struct {
	at  []time.Duration // next arrival of process i (trace: index len(procs))
	idx []int32         // heap of process indices
}

func (h *arrivalHeap) Len() int { return len(h.idx) }
func (h *arrivalHeap) Less(i, j int) bool {
	a, b := h.idx[i], h.idx[j]
	if h.at[a] != h.at[b] {
		return h.at[a] < h.at[b]
	}
	return a < b
}
func (h *arrivalHeap) Swap(i, j int) { h.idx[i], h.idx[j] = h.idx[j], h.idx[i] }
func (h *arrivalHeap) Push(x any)    { h.idx = append(h.idx, x.(int32)) }
func (h *arrivalHeap) Pop() any {
	n := len(h.idx) - 1
	x := h.idx[n]
	h.idx = h.idx[:n]
	return x
}

// peek returns the next arrival's process and time.
func (h *arrivalHeap) peek() (int32, time.Duration, bool) {
	if len(h.idx) == 0 {
		return 0, 0, false
	}
	p := h.idx[0]
	return p, h.at[p], true
}

// schedule sets process p's next arrival; p must not be in the heap.
func (h *arrivalHeap) schedule(p int32, at time.Duration) {
	for int(p) >= len(h.at) {
		h.at = append(h.at, 0)
	}
	h.at[p] = at
	heap.Push(h, p)
}

// reschedule moves the top process to its next arrival, or drops it.
func (h *arrivalHeap) reschedule(at time.Duration, ok bool) {
	if !ok {
		heap.Pop(h)
		return
	}
	h.at[h.idx[0]] = at
	if len(h.idx) > 1 {
		heap.Fix(h, 0)
	}
}
