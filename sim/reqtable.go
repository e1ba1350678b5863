package sim

import "github.com/waiter-go/waiter/engine"

// reqTable holds the state of unfinished requests, indexed by id. The
// simulator hands out ids in order, so a ring of slots starting at the
// oldest unfinished id replaces a hash map on the hottest path; it grows
// only with the span between the oldest and newest unfinished request.
// The ring's size is a power of two, so a slot is found with a mask
// rather than a division. A slot is a reqState (32 bytes) whose live
// field says whether it holds an unfinished request; a slot outside the
// window [base, base+n) is never read, so del only clears live and put
// writes its slot whole, once.
type reqTable struct {
	slots []reqState
	mask  int
	base  engine.RequestID // id stored at slots[head]
	head  int
	n     int // slots in use from head (live or finished-but-not-popped)
	live  int
}

func (t *reqTable) slot(id engine.RequestID) *reqState {
	off := int(id - t.base)
	if id < t.base || off >= t.n {
		return nil
	}
	return &t.slots[(t.head+off)&t.mask]
}

// put stores the state of a new request and returns it in place, valid
// until the next put (a del leaves the slot as it is but for live); ids
// must increase.
func (t *reqTable) put(id engine.RequestID, s reqState) *reqState {
	if t.n == 0 {
		t.base = id
	}
	off := int(id - t.base)
	for off >= len(t.slots) {
		t.grow()
	}
	// Ids skipped since the last put (none in a run: ids are handed out
	// one by one) are slots of the window holding no request.
	for ; t.n < off; t.n++ {
		t.slots[(t.head+t.n)&t.mask].live = false
	}
	s.live = true
	sl := &t.slots[(t.head+off)&t.mask]
	*sl = s
	t.n = max(t.n, off+1)
	t.live++
	return sl
}

func (t *reqTable) grow() {
	size := 2 * len(t.slots)
	if size == 0 {
		size = 1024
	}
	slots := make([]reqState, size)
	for i := 0; i < t.n; i++ {
		slots[i] = t.slots[(t.head+i)&t.mask]
	}
	t.slots, t.head, t.mask = slots, 0, size-1
}

func (t *reqTable) get(id engine.RequestID) (reqState, bool) {
	sl := t.slot(id)
	if sl == nil || !sl.live {
		return reqState{}, false
	}
	return *sl, true
}

// ref returns the state of live request id to read or change in place,
// or nil; the pointer is valid until the next put or del.
func (t *reqTable) ref(id engine.RequestID) *reqState {
	sl := t.slot(id)
	if sl == nil || !sl.live {
		return nil
	}
	return sl
}

func (t *reqTable) del(id engine.RequestID) {
	if sl := t.slot(id); sl != nil && sl.live {
		t.delRef(sl)
	}
}

// delRef deletes the live request whose state ref or put returned,
// without finding its slot again.
func (t *reqTable) delRef(sl *reqState) {
	sl.live = false
	t.live--
	for t.n > 0 && !t.slots[t.head].live {
		t.head = (t.head + 1) & t.mask
		t.base++
		t.n--
	}
}

// each calls f for every live request in id order.
func (t *reqTable) each(f func(id engine.RequestID, s reqState)) {
	for i := 0; i < t.n; i++ {
		sl := &t.slots[(t.head+i)&t.mask]
		if sl.live {
			f(t.base+engine.RequestID(i), *sl)
		}
	}
}
