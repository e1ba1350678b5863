package engine

// reqMap holds the engine's unfinished requests by id: an open-addressing
// hash table with linear probing and backward-shift deletion (no
// tombstones). It replaces a Go map on the request path, where every
// request is looked up, stored and deleted: with hundreds of requests in
// flight a Go map costs a hash, a group probe and a control-word match per
// operation, this a multiply and, at the load factor kept (at most one
// half), usually one slot. It never iterates, so its order cannot leak
// into the engine's decisions. It grows with the peak number of requests
// in flight, not with the number of requests seen, and shrinks back; its
// memory stays at what the peak took (see spare).
type reqMap struct {
	slots []reqSlot
	// spare is the largest table a resize let go, cleared, kept for the
	// next resize it can hold: the table resize builds and the one it
	// reads must differ, so two arrays serve every later resize up to the
	// peak. Without it each halving after a burst, and each doubling of
	// the next, took new memory (in spike.yaml's run, page faults in
	// resize were 12 % of the CPU time, and its garbage a collection).
	spare []reqSlot
	mask  uint64
	shift uint8
	n     int
}

type reqSlot struct {
	id  RequestID
	rec reqRecord // rec.live tells a used slot from a free one
}

const reqMapMinSize = 64

// home is the first slot id probes: Fibonacci hashing spreads the
// sequential ids drivers hand out over the whole table.
func (m *reqMap) home(id RequestID) uint64 {
	return (uint64(id) * 0x9E3779B97F4A7C15) >> m.shift
}

// get returns the record of id.
func (m *reqMap) get(id RequestID) (reqRecord, bool) {
	if i, ok := m.find(id); ok {
		return m.slots[i].rec, true
	}
	return reqRecord{}, false
}

// has reports whether id is unfinished.
func (m *reqMap) has(id RequestID) bool {
	_, ok := m.find(id)
	return ok
}

// find returns the slot holding id.
func (m *reqMap) find(id RequestID) (uint64, bool) {
	if m.n == 0 {
		return 0, false
	}
	for i := m.home(id); ; i = (i + 1) & m.mask {
		s := &m.slots[i]
		if !s.rec.live {
			return 0, false
		}
		if s.id == id {
			return i, true
		}
	}
}

// insert makes id's slot and returns its record, zero, for the caller to
// fill where it lives; the pointer is valid until the next insert or
// delete. (Filling a record and then putting it copied it twice through
// the stack, and the copies' wide loads of narrow stores stalled: 13 % of
// the request path.)
func (m *reqMap) insert(id RequestID) *reqRecord {
	if 2*(m.n+1) > len(m.slots) {
		m.grow()
	}
	for i := m.home(id); ; i = (i + 1) & m.mask {
		s := &m.slots[i]
		if !s.rec.live {
			s.id, s.rec.live = id, true // a free slot's record is zero
			m.n++
			return &s.rec
		}
		if s.id == id {
			s.rec = reqRecord{live: true}
			return &s.rec
		}
	}
}

// put stores rec as id's record, replacing any.
func (m *reqMap) put(id RequestID, rec reqRecord) {
	if 2*(m.n+1) > len(m.slots) {
		m.grow()
	}
	for i := m.home(id); ; i = (i + 1) & m.mask {
		s := &m.slots[i]
		if !s.rec.live {
			rec.live = true
			*s = reqSlot{id: id, rec: rec}
			m.n++
			return
		}
		if s.id == id {
			rec.live = true
			s.rec = rec
			return
		}
	}
}

// del forgets id.
func (m *reqMap) del(id RequestID) {
	if i, ok := m.find(id); ok {
		m.delAt(i)
	}
}

// delAt empties slot i, shifting back the entries of its probe run so
// that lookups never need tombstones.
func (m *reqMap) delAt(i uint64) {
	m.n--
	for j := (i + 1) & m.mask; ; j = (j + 1) & m.mask {
		t := &m.slots[j]
		if !t.rec.live {
			break
		}
		// t may move to the hole at i when its home is not in (i, j].
		h := m.home(t.id)
		if (j-h)&m.mask >= (j-i)&m.mask {
			m.slots[i] = *t
			i = j
		}
	}
	m.slots[i] = reqSlot{}
	// Shrink after a burst, so the table the steady state probes stays
	// small enough to live in cache (hysteresis: grown at one half full,
	// shrunk at one eighth, to one quarter full).
	if len(m.slots) > reqMapMinSize && 8*m.n < len(m.slots) {
		m.resize(len(m.slots) / 2)
	}
}

func (m *reqMap) grow() { m.resize(max(2*len(m.slots), reqMapMinSize)) }

func (m *reqMap) resize(size int) {
	old := m.slots
	if cap(m.spare) >= size {
		m.slots, m.spare = m.spare[:size], nil // all zero: cleared when spared
	} else {
		m.slots = make([]reqSlot, size)
	}
	m.mask = uint64(size - 1)
	m.shift = uint8(64 - log2(size))
	m.n = 0
	for i := range old {
		if old[i].rec.live {
			m.put(old[i].id, old[i].rec)
		}
	}
	// Only old[:len(old)] was used since it was last cleared (a table
	// taken from spare uses its prefix), and cleared it holds no
	// service or instance alive.
	if cap(old) > cap(m.spare) {
		clear(old)
		m.spare = old[:cap(old)]
	}
}

func log2(n int) int {
	b := 0
	for 1<<b < n {
		b++
	}
	return b
}
