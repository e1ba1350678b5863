package eventq

import "time"

// Event is one scheduled entry: its time, its insertion sequence number and
// its payload.
type Event[T any] struct {
	At    time.Duration
	Seq   uint64
	Value T
}

// Queue is a min-heap of events ordered by (At, Seq). The zero value is an
// empty queue ready to use. A Queue is not safe for concurrent use.
//
// It is a 4-ary heap stored inline in one slice: shallower than a binary heap
// (fewer cache misses on Pop, which dominates in a simulator) and with no
// per-event allocation once the slice has grown to the peak queue length.
// Keep T small (a pointer, an index or a small struct): it moves with every
// swap.
type Queue[T any] struct {
	items []Event[T]
	seq   uint64
}

// New returns an empty queue with room for capacity events before it grows.
func New[T any](capacity int) *Queue[T] {
	return &Queue[T]{items: make([]Event[T], 0, capacity)}
}

// Len returns the number of pending events.
func (q *Queue[T]) Len() int { return len(q.items) }

// Push schedules v at time at and returns the event's sequence number, which
// is unique within q and increases with every Push.
func (q *Queue[T]) Push(at time.Duration, v T) uint64 {
	seq := q.seq
	q.seq++
	q.items = append(q.items, Event[T]{At: at, Seq: seq, Value: v})
	q.up(len(q.items) - 1)
	return seq
}

// Peek returns the earliest event without removing it; ok is false when the
// queue is empty.
func (q *Queue[T]) Peek() (e Event[T], ok bool) {
	if len(q.items) == 0 {
		return e, false
	}
	return q.items[0], true
}

// Pop removes and returns the earliest event (ties: the one pushed first); ok
// is false when the queue is empty.
func (q *Queue[T]) Pop() (e Event[T], ok bool) {
	n := len(q.items)
	if n == 0 {
		return e, false
	}
	e = q.items[0]
	last := n - 1
	q.items[0] = q.items[last]
	// Clear the vacated slot so a popped payload holding pointers is not kept
	// alive by the slice's spare capacity.
	q.items[last] = Event[T]{}
	q.items = q.items[:last]
	if last > 0 {
		q.down(0)
	}
	return e, true
}

// Reset empties the queue, keeping its storage. The sequence counter keeps
// counting, so sequence numbers stay unique over the queue's life.
func (q *Queue[T]) Reset() {
	clear(q.items)
	q.items = q.items[:0]
}

func less[T any](a, b *Event[T]) bool {
	if a.At != b.At {
		return a.At < b.At
	}
	return a.Seq < b.Seq
}

// up moves the element at i towards the root until its parent is not larger.
func (q *Queue[T]) up(i int) {
	items := q.items
	e := items[i]
	for i > 0 {
		p := (i - 1) / 4
		if !less(&e, &items[p]) {
			break
		}
		items[i] = items[p]
		i = p
	}
	items[i] = e
}

// down moves the element at i towards the leaves until no child is smaller.
func (q *Queue[T]) down(i int) {
	items := q.items
	n := len(items)
	e := items[i]
	for {
		first := 4*i + 1
		if first >= n {
			break
		}
		// Find the smallest of up to four children.
		m := first
		end := first + 4
		if end > n {
			end = n
		}
		for c := first + 1; c < end; c++ {
			if less(&items[c], &items[m]) {
				m = c
			}
		}
		if !less(&items[m], &e) {
			break
		}
		items[i] = items[m]
		i = m
	}
	items[i] = e
}
