package eventq

import (
	"math/bits"
	"time"
)

// Event is one scheduled entry: its time, its insertion sequence number and
// its payload.
type Event[T any] struct {
	At    time.Duration
	Seq   uint64
	Value T
}

// The wheel: slotShift sets a slot's width (2^20 ns, about 1 ms) and
// wheelSlots their number (about a second ahead of the last event popped);
// a slot holds up to slotCap events.
const (
	slotShift  = 20
	wheelSlots = 1024
	wheelMask  = wheelSlots - 1
	wheelWords = wheelSlots / 64
	slotCap    = 8
)

// Queue holds events and pops them in (At, Seq) order. The zero value is an
// empty queue ready to use. A Queue is not safe for concurrent use.
//
// An event whose slot (At >> slotShift) lies within wheelSlots of cur, the
// slot of the last event popped, goes to the wheel, unless its slot is
// full: slotCap places per slot in one array, a slot's events kept sorted
// with the smallest (At, Seq) last, a count per slot and a bitmap of the
// slots in use. Any other event goes to far, a 4-ary heap. Popping takes
// the smaller of the wheel's first and far's root, so an event of a full
// slot may wait in far like one beyond the wheel. cur only moves forward,
// to a slot no later than any in the wheel, so the wheel's events always
// lie in [cur, cur+wheelSlots) and two of its slots never alias. Keep T
// small (a pointer, an index or a small struct): it moves with the events.
//
// The slots are one array rather than a slice each: a push or pop then
// reads a slot's count from a small array and its events from the one
// array, where a slice per slot cost a load of the slot's slice header
// (24 KB of them, rarely in the nearest cache a second after their last
// use) before its events (with a thousand services, a cache miss each:
// half of push's samples in large.yaml's day).
type Queue[T any] struct {
	seq uint64
	n   int

	// wheel holds slot i's cnt[i] events at [i*slotCap, i*slotCap+cnt[i]);
	// made on first use.
	wheel   []Event[T]
	cnt     [wheelSlots]uint8
	used    [wheelWords]uint64
	cur     int64 // slot of the last event popped
	inWheel int
	// hot is the wheel's first slot in use when known, else -1.
	hot int64

	far []Event[T]

	// next caches the earliest event's time while nextOK: a simulator
	// peeks at each of its queues once per event it handles, and most
	// peeks follow no change to the queue (Push keeps it, Pop drops it).
	next   time.Duration
	nextOK bool
	// nextSlot is where the earliest event lies while nextOK: its wheel
	// slot, or -1 for far's root; -2 when unknown (a Push that made a new
	// earliest). Pop after PeekAt then does not locate it again.
	nextSlot int64
}

// New returns an empty queue with room for capacity events outside the
// wheel before it grows.
func New[T any](capacity int) *Queue[T] {
	q := &Queue[T]{far: make([]Event[T], 0, capacity)}
	q.init()
	return q
}

func (q *Queue[T]) init() {
	q.wheel = make([]Event[T], wheelSlots*slotCap)
	q.hot = -1
}

// Len returns the number of pending events.
func (q *Queue[T]) Len() int { return q.n }

// Push schedules v at time at and returns the event's sequence number, which
// is unique within q and increases with every Push.
func (q *Queue[T]) Push(at time.Duration, v T) uint64 {
	seq := q.seq
	q.seq++
	q.push(at, seq, v)
	return seq
}

// PushKeyed schedules v at time at with key in place of a sequence
// number: events due at the same time pop in key order. Keys must differ
// among the pending events, so a queue takes either Push or PushKeyed.
// (The simulator's arrivals order ties by their process's index.)
func (q *Queue[T]) PushKeyed(at time.Duration, key uint64, v T) {
	q.push(at, key, v)
}

// push takes the event's fields rather than an Event: the event is then
// built once, in its place in the queue, not on the stack first and
// copied in.
func (q *Queue[T]) push(at time.Duration, seq uint64, v T) {
	if q.wheel == nil {
		q.init()
	}
	q.n++
	if q.nextOK && at <= q.next {
		// The new earliest, or a tie (which leaves the earlier time but,
		// keyed, may come first): where the earliest lies is unknown.
		q.next = at
		q.nextSlot = -2
	}
	s := int64(at) >> slotShift
	i := s & wheelMask
	if s < q.cur || s-q.cur >= wheelSlots || q.cnt[i] == slotCap {
		q.far = append(q.far, Event[T]{At: at, Seq: seq, Value: v})
		q.up(len(q.far) - 1)
		return
	}
	n := int64(q.cnt[i])
	sl := q.wheel[i*slotCap : i*slotCap+n+1]
	// Keep the slot sorted with the smallest (At, Seq) last: after Push,
	// the event has the largest Seq so far, so it moves only past events
	// due later (keyed, past those due as early with a larger key).
	j := n
	for j > 0 && (sl[j-1].At < at || sl[j-1].At == at && sl[j-1].Seq < seq) {
		sl[j] = sl[j-1]
		j--
	}
	sl[j] = Event[T]{At: at, Seq: seq, Value: v}
	q.cnt[i] = uint8(n + 1)
	q.used[i>>6] |= 1 << (i & 63)
	q.inWheel++
	if q.hot >= 0 && s < q.hot {
		q.hot = s
	}
}

// first returns the wheel's first slot in use (an absolute slot number);
// the wheel must not be empty.
func (q *Queue[T]) first() int64 {
	if q.hot >= 0 {
		return q.hot
	}
	start := q.cur & wheelMask
	w := start >> 6
	// The rest of start's word, then the following words, wrapping around
	// to start's word again for the bits before start.
	if m := q.used[w] >> (start & 63); m != 0 {
		q.hot = q.cur + int64(bits.TrailingZeros64(m))
		return q.hot
	}
	dist := 64 - (start & 63)
	for k := int64(1); k <= wheelWords; k++ {
		if m := q.used[(w+k)&(wheelWords-1)]; m != 0 {
			q.hot = q.cur + dist + int64(bits.TrailingZeros64(m))
			return q.hot
		}
		dist += 64
	}
	panic("eventq: wheel count and bitmap disagree")
}

// min locates the earliest event: in the wheel (its slot) or in far (-1).
func (q *Queue[T]) min() (*Event[T], int64) {
	if q.inWheel == 0 {
		return &q.far[0], -1
	}
	s := q.first()
	e := q.last(s)
	if len(q.far) > 0 && less(&q.far[0], e) {
		return &q.far[0], -1
	}
	return e, s
}

// last is the earliest event of slot s (an absolute slot number), which
// must not be empty.
func (q *Queue[T]) last(s int64) *Event[T] {
	i := s & wheelMask
	return &q.wheel[i*slotCap+int64(q.cnt[i])-1]
}

// Peek returns the earliest event without removing it; ok is false when the
// queue is empty.
func (q *Queue[T]) Peek() (e Event[T], ok bool) {
	if q.n == 0 {
		return e, false
	}
	m, _ := q.min()
	return *m, true
}

// PeekAt returns the earliest event's time without copying the event; ok
// is false when the queue is empty.
func (q *Queue[T]) PeekAt() (at time.Duration, ok bool) {
	if q.n == 0 {
		return 0, false
	}
	if !q.nextOK {
		m, s := q.min()
		q.next, q.nextOK, q.nextSlot = m.At, true, s
	}
	return q.next, true
}

// Pop removes and returns the earliest event (ties: the one pushed first); ok
// is false when the queue is empty.
func (q *Queue[T]) Pop() (e Event[T], ok bool) {
	if q.n == 0 {
		return e, false
	}
	m, s := q.take()
	e = *m
	q.remove(s, e.At)
	return e, true
}

// PopValue removes the earliest event and returns its payload; the queue
// must not be empty. A caller that peeked knows the event's time already,
// and a payload alone comes back in registers where a whole Event is
// copied through memory (a simulator pops once per event it handles).
func (q *Queue[T]) PopValue() T {
	if q.n == 0 {
		panic("eventq: PopValue on an empty queue")
	}
	// take and remove written out: as calls they cost what returning
	// the whole event did.
	q.n--
	var m *Event[T]
	var s int64
	if q.nextOK && q.nextSlot != -2 {
		if s = q.nextSlot; s < 0 {
			m = &q.far[0]
		} else {
			m = q.last(s)
		}
	} else {
		m, s = q.min()
	}
	q.nextOK = false
	v := m.Value
	if s < 0 {
		at := m.At
		q.popFar()
		q.cur = max(q.cur, int64(at)>>slotShift)
		return v
	}
	*m = Event[T]{}
	i := s & wheelMask
	q.cnt[i]--
	q.inWheel--
	if q.cnt[i] == 0 {
		q.used[i>>6] &^= 1 << (i & 63)
		q.hot = -1
	}
	q.cur = s
	return v
}

// take locates the earliest event for Pop (the queue is not empty): where
// PeekAt found it when no Push since was due as early, else afresh.
func (q *Queue[T]) take() (*Event[T], int64) {
	q.n--
	if q.nextOK && q.nextSlot != -2 {
		q.nextOK = false
		if s := q.nextSlot; s >= 0 {
			return q.last(s), s
		}
		return &q.far[0], -1
	}
	q.nextOK = false
	return q.min()
}

// remove drops the event take located, due at at, from slot s (-1: far's
// root).
func (q *Queue[T]) remove(s int64, at time.Duration) {
	if s < 0 {
		q.popFar()
		// Nothing in the wheel is earlier: the window may move up.
		q.cur = max(q.cur, int64(at)>>slotShift)
		return
	}
	// Clear the vacated place so a popped payload holding pointers is not
	// kept alive by the wheel.
	*q.last(s) = Event[T]{}
	i := s & wheelMask
	q.cnt[i]--
	q.inWheel--
	if q.cnt[i] == 0 {
		q.used[i>>6] &^= 1 << (i & 63)
		q.hot = -1
	}
	q.cur = s
}

// Reset empties the queue, keeping its storage. The sequence counter keeps
// counting, so sequence numbers stay unique over the queue's life.
func (q *Queue[T]) Reset() {
	clear(q.wheel)
	q.cnt = [wheelSlots]uint8{}
	q.used = [wheelWords]uint64{}
	q.inWheel, q.hot = 0, -1
	q.nextOK = false
	clear(q.far)
	q.far = q.far[:0]
	q.n = 0
}

func less[T any](a, b *Event[T]) bool {
	if a.At != b.At {
		return a.At < b.At
	}
	return a.Seq < b.Seq
}
