package sim

import (
	"math"
	"time"
)

// arrivalHeap orders load processes by their next arrival. Arrivals are
// the most frequent event; keeping them out of the main event heap halves
// its traffic. Ties break by process index, and the main loop handles an
// arrival before a main-heap event at the same instant, so the order is
// fixed and runs stay deterministic.
//
// It is a 4-ary heap of (time, process) pairs stored inline, without
// container/heap's interface calls. With more than heapProcs processes
// the same order lives in a tournament tree instead (arrTree): with a
// thousand services the heap moved the top process down about five
// levels at every arrival, and the timing wheel that replaced it (an
// eventq keyed by process) filed each arrival in a slot's slice, or, for
// a quiet service at night more than a second ahead, in the wheel's
// heap: 7.6 % of large.yaml's day went to rescheduling and peeking.
// The tree replays one leaf-to-root path of ten nodes in two small
// arrays per arrival and peeks in O(1).
type arrivalHeap struct {
	h []arrEntry
	// tree holds the processes instead of h once there are more than
	// heapProcs of them (schedule moves them).
	tree   arrTree
	inTree bool
}

// heapProcs is the most processes kept in the heap.
const heapProcs = 64

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
	if h.inTree {
		return h.tree.live
	}
	return len(h.h)
}

// peek returns the next arrival's process and time.
func (h *arrivalHeap) peek() (int32, time.Duration, bool) {
	if h.inTree {
		return h.tree.peek()
	}
	if len(h.h) == 0 {
		return 0, 0, false
	}
	return h.h[0].p, h.h[0].at, true
}

// schedule sets process p's next arrival; p must not be in the heap.
func (h *arrivalHeap) schedule(p int32, at time.Duration) {
	if h.inTree {
		h.tree.set(p, at)
		return
	}
	if len(h.h) == heapProcs {
		h.inTree = true
		for _, e := range h.h {
			h.tree.set(e.p, e.at)
		}
		h.h = nil
		h.tree.set(p, at)
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
	if h.inTree {
		p := h.tree.win[1]
		if !ok {
			h.tree.clear(p)
			return
		}
		h.tree.set(p, at)
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

// arrTree is a tournament (winner) tree over the processes: leaf p holds
// process p's next arrival, each inner node the earlier, by (time,
// process), of its two children's winners, so the root's is the next
// arrival of all. Changing one process's time replays the matches on its
// leaf's path only. Processes not scheduled hold never and win no match
// against a scheduled one.
type arrTree struct {
	at []time.Duration // by process; never when not scheduled
	// win[i] is the winner of node i: nodes 1..n-1 are inner (the root
	// is 1; i's children 2i and 2i+1), n..2n-1 are the leaves, n a power
	// of two no smaller than the processes.
	win  []int32
	n    int
	live int
}

const never = time.Duration(math.MaxInt64)

// beats reports whether process a's next arrival comes before b's.
func (t *arrTree) beats(a, b int32) bool {
	if t.at[a] != t.at[b] {
		return t.at[a] < t.at[b]
	}
	return a < b
}

// peek returns the next arrival's process and time.
func (t *arrTree) peek() (int32, time.Duration, bool) {
	if t.live == 0 {
		return 0, 0, false
	}
	p := t.win[1]
	return p, t.at[p], true
}

// set schedules process p at at (scheduled or not before).
func (t *arrTree) set(p int32, at time.Duration) {
	if int(p) >= t.n {
		t.grow(int(p) + 1)
	}
	if t.at[p] == never {
		t.live++
	}
	t.at[p] = at
	t.replay(p)
}

// clear unschedules process p.
func (t *arrTree) clear(p int32) {
	if t.at[p] != never {
		t.live--
	}
	t.at[p] = never
	t.replay(p)
}

// replay plays again the matches on leaf p's path to the root.
func (t *arrTree) replay(p int32) {
	w := t.win
	for i := (t.n + int(p)) >> 1; i >= 1; i >>= 1 {
		a, b := w[2*i], w[2*i+1]
		if t.beats(b, a) {
			a = b
		}
		w[i] = a
	}
}

// grow makes room for procs processes, keeping the scheduled ones.
func (t *arrTree) grow(procs int) {
	n := max(1, t.n)
	for n < procs {
		n *= 2
	}
	at := make([]time.Duration, n)
	for i := range at {
		at[i] = never
	}
	copy(at, t.at)
	t.at, t.n = at, n
	t.win = make([]int32, 2*n)
	for p := 0; p < n; p++ {
		t.win[n+p] = int32(p)
	}
	for i := n - 1; i >= 1; i-- {
		a, b := t.win[2*i], t.win[2*i+1]
		if t.beats(b, a) {
			a = b
		}
		t.win[i] = a
	}
}
