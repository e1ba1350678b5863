package load

import "time"

// sum merges its children's arrivals in time order; simultaneous arrivals
// come out in child order, so the merge never depends on anything but the
// spec.
type sum struct {
	kids   []process
	heads  []time.Duration
	live   []bool
	primed bool
}

func newSum(kids []process) *sum {
	return &sum{kids: kids, heads: make([]time.Duration, len(kids)), live: make([]bool, len(kids))}
}

func (s *sum) prime() {
	if s.primed {
		return
	}
	s.primed = true
	for i := range s.kids {
		s.refill(i)
	}
}

func (s *sum) refill(i int) {
	s.heads[i], s.live[i] = s.kids[i].Next()
}

func (s *sum) Next() (time.Duration, bool) {
	s.prime()
	best := -1
	for i, ok := range s.live {
		if ok && (best < 0 || s.heads[i] < s.heads[best]) {
			best = i
		}
	}
	if best < 0 {
		return 0, false
	}
	at := s.heads[best]
	s.refill(best)
	return at, true
}

func (s *sum) skipTo(t time.Duration) {
	if !s.primed {
		for _, k := range s.kids {
			k.skipTo(t)
		}
		return
	}
	for i, k := range s.kids {
		if s.live[i] && s.heads[i] < t {
			k.skipTo(t)
			s.refill(i)
		}
	}
}

// window passes its child's arrivals in [start, end) and nothing else; end 0
// means no end.
type window struct {
	kid        process
	start, end time.Duration
	done       bool
}

func newWindow(kid process, start, end time.Duration) *window {
	kid.skipTo(start)
	return &window{kid: kid, start: start, end: end}
}

func (w *window) Next() (time.Duration, bool) {
	if w.done {
		return 0, false
	}
	at, ok := w.kid.Next()
	if !ok || (w.end > 0 && at >= w.end) {
		w.done = true
		return 0, false
	}
	return at, true
}

func (w *window) skipTo(t time.Duration) { w.kid.skipTo(max(t, w.start)) }

// span is a half-open stretch of time [start, end).
type span struct{ start, end time.Duration }

// gaps drops its child's arrivals inside idle spans (sorted, disjoint),
// skipping each span in one step rather than drawing through it.
type gaps struct {
	kid   process
	spans []span
	next  int // the first span that does not end at or before the last arrival
}

func (g *gaps) Next() (time.Duration, bool) {
	for {
		at, ok := g.kid.Next()
		if !ok {
			return 0, false
		}
		for g.next < len(g.spans) && at >= g.spans[g.next].end {
			g.next++
		}
		if g.next < len(g.spans) && at >= g.spans[g.next].start {
			g.kid.skipTo(g.spans[g.next].end)
			continue
		}
		return at, true
	}
}

func (g *gaps) skipTo(t time.Duration) { g.kid.skipTo(t) }
