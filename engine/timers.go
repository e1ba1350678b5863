package engine

import (
	"container/heap"
	"time"
)

// timerHeap holds "look at service S at time T" entries, earliest first,
// ties in insertion order. Entries are never removed early: a service that
// no longer needs the visit simply finds nothing to do.
type timerHeap []timerEntry

type timerEntry struct {
	at  time.Time
	seq uint64
	svc *service
}

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)   { *h = append(*h, x.(timerEntry)) }
func (h *timerHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = timerEntry{}
	*h = old[:len(old)-1]
	return e
}

// schedule asks the engine to visit svc at t unless an earlier or equal
// visit is already pending.
func (e *Engine) schedule(svc *service, t time.Time) {
	if !svc.nextVisit.IsZero() && !svc.nextVisit.After(t) && svc.nextVisit.After(e.now) {
		return
	}
	svc.nextVisit = t
	e.timerSeq++
	heap.Push(&e.timers, timerEntry{at: t, seq: e.timerSeq, svc: svc})
	e.wakeStale = true
}

// fireTimers visits every service whose timer is due at e.now.
func (e *Engine) fireTimers() {
	for len(e.timers) > 0 && !e.timers[0].at.After(e.now) {
		t := heap.Pop(&e.timers).(timerEntry)
		e.wakeStale = true
		if t.svc.removed {
			continue
		}
		if t.svc.nextVisit.Equal(t.at) {
			t.svc.nextVisit = time.Time{}
		}
		e.visit(t.svc)
	}
}
