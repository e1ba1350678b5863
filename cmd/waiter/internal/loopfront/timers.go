package loopfront

import (
	"container/heap"
	"time"
)

// The loop's timers: one deadline per socket at most (a client's head or
// idle wait, a backend's wait for an answer or its next body bytes, an
// idle pooled connection's end). A socket moves its deadline on every
// request, the heap only lazily: an entry that comes due for a socket
// whose deadline moved later is pushed again at the new deadline, one for
// a socket that has none or is gone is dropped, and a deadline moved
// earlier than every entry of its socket gets an entry of its own.

// timed is a socket with a deadline.
type timed interface {
	timer() *deadline
	// expire runs the socket's deadline, which has come.
	expire(now time.Time)
}

// deadline is a socket's deadline and its entries in the heap.
type deadline struct {
	at      time.Time // zero: none
	gone    bool      // the socket left its loop
	entries int       // entries in the heap
	// earliest is when the socket's first entry comes (never when that
	// is not known; meaningful while entries > 0).
	earliest time.Time
}

type timerEntry struct {
	at time.Time
	s  timed
}

type timerHeap []timerEntry

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)        { *h = append(*h, x.(timerEntry)) }
func (h *timerHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = timerEntry{}
	*h = old[:len(old)-1]
	return e
}

// never is later than any deadline.
var never = time.Unix(1<<40, 0)

// timers is one loop's heap; attend, when set, hears of each socket
// before its deadline runs (loop.attend).
type timers struct {
	h      timerHeap
	attend func(any)
}

// set gives s the deadline at (zero: none).
func (t *timers) set(s timed, at time.Time) {
	d := s.timer()
	d.at = at
	if at.IsZero() || (d.entries > 0 && !at.Before(d.earliest)) {
		return // an entry comes at or before at
	}
	t.push(s, d, at)
}

func (t *timers) push(s timed, d *deadline, at time.Time) {
	heap.Push(&t.h, timerEntry{at: at, s: s})
	if d.entries == 0 || at.Before(d.earliest) {
		d.earliest = at
	}
	d.entries++
}

// next is the earliest entry's time.
func (t *timers) next() (time.Time, bool) {
	if len(t.h) == 0 {
		return time.Time{}, false
	}
	return t.h[0].at, true
}

// run expires the sockets whose deadlines have come by now.
func (t *timers) run(now time.Time) {
	for len(t.h) > 0 && !t.h[0].at.After(now) {
		e := heap.Pop(&t.h).(timerEntry)
		d := e.s.timer()
		d.entries--
		if d.entries > 0 {
			// Which of the others comes first is not known: the next
			// deadline set gets an entry of its own.
			d.earliest = never
		}
		switch {
		case d.gone || d.at.IsZero():
		case d.at.After(now):
			if d.entries == 0 || d.at.Before(d.earliest) {
				t.push(e.s, d, d.at)
			}
		default:
			d.at = time.Time{}
			if t.attend != nil {
				t.attend(e.s)
			}
			e.s.expire(now)
		}
	}
}

// Entries are dropped lazily, when they come due: a connection that
// closed leaves its idle-timeout entry in the heap for that long. With a
// new connection per request that would be rate × idle timeout entries
// (13,000 a second for the default two minutes: 1.5 M, some 60 MB), so a
// loop compacts its heap once it holds more than twice an entry per
// socket, and compactSlack more.
const compactSlack = 1024

// overgrown reports whether the heap holds many more entries than the
// loop's sockets (n) could need.
func (t *timers) overgrown(n int) bool { return len(t.h) > 2*n+compactSlack }

// compact keeps one entry per socket that has a deadline, at it, and
// drops the others: O(entries), and at most once per compactSlack new
// entries.
func (t *timers) compact() {
	for _, e := range t.h {
		d := e.s.timer()
		d.entries, d.earliest = 0, never
	}
	kept := t.h[:0]
	for _, e := range t.h {
		d := e.s.timer()
		if d.gone || d.at.IsZero() || d.entries > 0 {
			continue
		}
		d.entries, d.earliest = 1, d.at
		kept = append(kept, timerEntry{at: d.at, s: e.s})
	}
	clear(t.h[len(kept):])
	t.h = kept
	heap.Init(&t.h)
}
