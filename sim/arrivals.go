package sim

import "time"

// arrivalHeap orders load processes by their next arrival. Arrivals are
// the most frequent event; keeping them out of the main event heap halves
// its traffic. Ties break by process index, and the main loop handles an
// arrival before a main-heap event at the same instant, so the order is
// fixed and runs stay deterministic.
//
// It is a 4-ary heap of (time, process) pairs stored inline, without
// container/heap's interface calls: with a thousand services, every
// arrival moves the top process down about five levels.
type arrivalHeap struct {
	h []arrEntry
}

type arrEntry struct {
	at time.Duration
	p  int32 // process index (trace: len(procs))
}

func (a *arrEntry) before(b *arrEntry) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.p < b.p
}

func (h *arrivalHeap) Len() int { return len(h.h) }

// peek returns the next arrival's process and time.
func (h *arrivalHeap) peek() (int32, time.Duration, bool) {
	if len(h.h) == 0 {
		return 0, 0, false
	}
	return h.h[0].p, h.h[0].at, true
}

// schedule sets process p's next arrival; p must not be in the heap.
func (h *arrivalHeap) schedule(p int32, at time.Duration) {
	h.h = append(h.h, arrEntry{at: at, p: p})
	i := len(h.h) - 1
	e := h.h[i]
	for i > 0 {
		parent := (i - 1) / 4
		if !e.before(&h.h[parent]) {
			break
		}
		h.h[i] = h.h[parent]
		i = parent
	}
	h.h[i] = e
}

// reschedule moves the top process to its next arrival, or drops it.
func (h *arrivalHeap) reschedule(at time.Duration, ok bool) {
	n := len(h.h)
	if !ok {
		h.h[0] = h.h[n-1]
		h.h = h.h[:n-1]
		n--
		if n == 0 {
			return
		}
	} else {
		h.h[0].at = at
	}
	// Move the root down until no child is earlier.
	items := h.h
	e := items[0]
	i := 0
	for {
		first := 4*i + 1
		if first >= n {
			break
		}
		m := first
		for c := first + 1; c < first+4 && c < n; c++ {
			if items[c].before(&items[m]) {
				m = c
			}
		}
		if !items[m].before(&e) {
			break
		}
		items[i] = items[m]
		i = m
	}
	items[i] = e
}
