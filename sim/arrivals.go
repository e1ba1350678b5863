package sim

import (
	"time"
	"unsafe"
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
// The tree replays one leaf-to-root path of ten words per arrival and
// peeks in O(1).
type arrivalHeap struct {
	h []arrEntry
	// tree holds the processes instead of h once there are more than
	// heapProcs of them (schedule moves them).
	tree   arrTree
	inTree bool
	// noTree keeps every process in the heap: the run is too long, or has
	// too many processes, for the tree's packed keys (maxTreeAt,
	// procBits).
	noTree bool
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
	if len(h.h) == heapProcs && !h.noTree {
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
		p := h.tree.top()
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
// process p's next arrival, each inner node the earlier of its two
// children, so the root holds the next arrival of all. A node is one
// word, the arrival's time above the process index (time<<16 | p), so
// that the order of words is the order of (time, process) and a match is
// a branch-free min: the winners kept as process indices cost a load of
// each one's time and an unpredictable branch per level (5 % of
// large.yaml's day). Changing one process's time replays the matches on
// its leaf's path only. The packing needs times below 2^47 ns (39 hours)
// and fewer than 2^16 processes, which arrivalHeap checks (noTree).
type arrTree struct {
	// key[i]: nodes 1..n-1 are inner (the root is 1; i's children 2i and
	// 2i+1), n..2n-1 the leaves, n a power of two no smaller than the
	// processes; unscheduled is a leaf with no arrival.
	key  []uint64
	n    int
	live int
}

const (
	unscheduled = ^uint64(0)
	procBits    = 16
	// maxTreeAt bounds the times the tree can hold.
	maxTreeAt = time.Duration(1) << (63 - procBits)
)

// peek returns the next arrival's process and time.
func (t *arrTree) peek() (int32, time.Duration, bool) {
	if t.live == 0 {
		return 0, 0, false
	}
	k := t.key[1]
	return int32(k & (1<<procBits - 1)), time.Duration(k >> procBits), true
}

// top is the process of the next arrival; the tree must not be empty.
func (t *arrTree) top() int32 { return int32(t.key[1] & (1<<procBits - 1)) }

// set schedules process p at at, scheduled or not before.
func (t *arrTree) set(p int32, at time.Duration) {
	if int(p) >= t.n {
		t.grow(int(p) + 1)
	}
	if t.key[t.n+int(p)] == unscheduled {
		t.live++
	}
	t.replay(p, uint64(at)<<procBits|uint64(p))
}

// clear unschedules process p.
func (t *arrTree) clear(p int32) {
	if t.key[t.n+int(p)] != unscheduled {
		t.live--
	}
	t.replay(p, unscheduled)
}

// replay puts k in leaf p and plays again the matches on its path. The
// winner so far stays in a register and meets the sibling's word at each
// level: reading back both children, one of them the word just stored,
// chained every level through a store and its reload (5 % of large.yaml's
// day), where the siblings' loads depend on nothing and issue at once.
//
// The leaf is checked once; the nodes above it and their siblings lie
// below it, so the path is read and written without bounds checks. With
// them, a level was 14 instructions, twice the match's own; it is 9
// (cachegrind: 5 % of a busy half hour of large.yaml's instructions went
// to this loop, 3.7 % now).
func (t *arrTree) replay(p int32, k uint64) {
	i := uint(t.n) + uint(uint32(p))
	if i >= uint(len(t.key)) {
		panic("sim: arrival tree leaf out of range")
	}
	base := unsafe.Pointer(unsafe.SliceData(t.key))
	node := func(j uint) *uint64 { return (*uint64)(unsafe.Add(base, j*8)) }
	*node(i) = k
	for i > 1 {
		k = min(k, *node(i ^ 1))
		i >>= 1
		*node(i) = k
	}
}

// grow makes room for procs processes, keeping the scheduled ones.
func (t *arrTree) grow(procs int) {
	n := max(1, t.n)
	for n < procs {
		n *= 2
	}
	key := make([]uint64, 2*n)
	for i := range key {
		key[i] = unscheduled
	}
	for p := 0; p < t.n; p++ {
		key[n+p] = t.key[t.n+p]
	}
	for i := n - 1; i >= 1; i-- {
		key[i] = min(key[2*i], key[2*i+1])
	}
	t.key, t.n = key, n
}
