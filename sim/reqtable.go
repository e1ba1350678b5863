package sim

import "github.com/waiter-go/waiter/engine"

// reqTable holds the state of unfinished requests, indexed by id. The
// simulator hands out ids in order, so a ring of slots starting at the
// oldest unfinished id replaces a hash map on the hottest path; it grows
// only with the span between the oldest and newest unfinished request.
type reqTable struct {
	slots []reqSlot
	base  engine.RequestID // id stored at slots[head]
	head  int
	n     int // slots in use from head (live or finished-but-not-popped)
	live  int
}

type reqSlot struct {
	state reqState
	live  bool
}

func (t *reqTable) slot(id engine.RequestID) *reqSlot {
	off := int(id - t.base)
	if id < t.base || off >= t.n {
		return nil
	}
	return &t.slots[(t.head+off)%len(t.slots)]
}

// put stores the state of a new request; ids must increase.
func (t *reqTable) put(id engine.RequestID, s reqState) {
	if t.n == 0 {
		t.base = id
	}
	for int(id-t.base) >= t.n {
		if t.n == len(t.slots) {
			t.grow()
		}
		t.slots[(t.head+t.n)%len(t.slots)] = reqSlot{}
		t.n++
	}
	sl := t.slot(id)
	sl.state, sl.live = s, true
	t.live++
}

func (t *reqTable) grow() {
	size := 2 * len(t.slots)
	if size == 0 {
		size = 1024
	}
	slots := make([]reqSlot, size)
	for i := 0; i < t.n; i++ {
		slots[i] = t.slots[(t.head+i)%len(t.slots)]
	}
	t.slots, t.head = slots, 0
}

func (t *reqTable) get(id engine.RequestID) (reqState, bool) {
	sl := t.slot(id)
	if sl == nil || !sl.live {
		return reqState{}, false
	}
	return sl.state, true
}

func (t *reqTable) set(id engine.RequestID, s reqState) {
	if sl := t.slot(id); sl != nil && sl.live {
		sl.state = s
	}
}

func (t *reqTable) del(id engine.RequestID) {
	sl := t.slot(id)
	if sl == nil || !sl.live {
		return
	}
	sl.live = false
	sl.state = reqState{}
	t.live--
	for t.n > 0 && !t.slots[t.head].live {
		t.head = (t.head + 1) % len(t.slots)
		t.base++
		t.n--
	}
}

// each calls f for every live request in id order.
func (t *reqTable) each(f func(id engine.RequestID, s reqState)) {
	for i := 0; i < t.n; i++ {
		sl := &t.slots[(t.head+i)%len(t.slots)]
		if sl.live {
			f(t.base+engine.RequestID(i), sl.state)
		}
	}
}
