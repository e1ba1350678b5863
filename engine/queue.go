package engine

import "time"

// reqQueue is a FIFO ring of queued requests with lazy deletion: entries
// whose request was dispatched, rejected or canceled stay in the ring until
// they reach the head, where pop skips them. A per-entry sequence number
// tells a stale entry from a later request that reuses the same id.
type reqQueue struct {
	buf  []queueEntry
	head int
	n    int
}

// queueEntry is one queued request: its id and sequence number, which
// tell a live entry from a stale one (against the request's record), and
// its queue timeout, which only the message of a queue timeout reads.
// No pointers: the garbage collector neither scans a queue nor puts a
// write barrier on its entries (a deadline, a time.Time, here would).
type queueEntry struct {
	id      RequestID
	seq     uint64
	timeout time.Duration
}

func (q *reqQueue) push(e queueEntry) {
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)%len(q.buf)] = e
	q.n++
}

func (q *reqQueue) grow() {
	size := 2 * len(q.buf)
	if size == 0 {
		size = 8
	}
	buf := make([]queueEntry, size)
	for i := 0; i < q.n; i++ {
		buf[i] = q.buf[(q.head+i)%len(q.buf)]
	}
	q.buf, q.head = buf, 0
}

// pop removes and returns the head entry.
func (q *reqQueue) pop() (queueEntry, bool) {
	if q.n == 0 {
		return queueEntry{}, false
	}
	e := q.buf[q.head]
	q.buf[q.head] = queueEntry{}
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	return e, true
}

// compact drops entries for which keep returns false, preserving order.
func (q *reqQueue) compact(keep func(queueEntry) bool) {
	w := 0
	for i := 0; i < q.n; i++ {
		e := q.buf[(q.head+i)%len(q.buf)]
		if keep(e) {
			q.buf[(q.head+w)%len(q.buf)] = e
			w++
		}
	}
	for i := w; i < q.n; i++ {
		q.buf[(q.head+i)%len(q.buf)] = queueEntry{}
	}
	q.n = w
}
