package sim

import (
	"time"

	"github.com/waiter-go/waiter/sim/eventq"
)

// arrivalHeap orders load processes by their next arrival. Arrivals are
// the most frequent event; keeping them out of the main event heap halves
// its traffic. Ties break by process index, and the main loop handles an
// arrival before a main-heap event at the same instant, so the order is
// fixed and runs stay deterministic.
//
// It is a 4-ary heap of (time, process) pairs stored inline, without
// container/heap's interface calls. With more than wheelProcs processes
// the same order lives in an eventq.Queue instead, keyed by process
// index: with a thousand services every arrival moved the top process
// down about five levels of the heap (4 % of large.yaml's profile at its
// peak), where the queue's timing wheel files it in its millisecond's
// slot, which holds one or two.
type arrivalHeap struct {
	h []arrEntry
	// wheel holds the processes instead of h once there are more than
	// wheelProcs of them (schedule moves them).
	wheel   *eventq.Queue[int32]
	inWheel bool
}

// wheelProcs is the most processes kept in the heap.
const wheelProcs = 64

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

func (h *arrivalHeap) Len() int {
	if h.inWheel {
		return h.wheel.Len()
	}
	return len(h.h)
}

// peek returns the next arrival's process and time.
func (h *arrivalHeap) peek() (int32, time.Duration, bool) {
	if h.inWheel {
		e, ok := h.wheel.Peek()
		return e.Value, e.At, ok
	}
	if len(h.h) == 0 {
		return 0, 0, false
	}
	return h.h[0].p, h.h[0].at, true
}

// schedule sets process p's next arrival; p must not be in the heap.
func (h *arrivalHeap) schedule(p int32, at time.Duration) {
	if h.inWheel {
		h.wheel.PushKeyed(at, uint64(p), p)
		return
	}
	if len(h.h) == wheelProcs {
		h.wheel, h.inWheel = eventq.New[int32](0), true
		for _, e := range h.h {
			h.wheel.PushKeyed(e.at, uint64(e.p), e.p)
		}
		h.h = nil
		h.wheel.PushKeyed(at, uint64(p), p)
		return
	}
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
	if h.inWheel {
		e, _ := h.wheel.Pop()
		if ok {
			h.wheel.PushKeyed(at, uint64(e.Value), e.Value)
		}
		return
	}
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
