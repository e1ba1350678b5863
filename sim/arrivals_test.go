package sim

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Property: the arrival heap always offers the process with the earliest
// next arrival, ties to the lowest index, as a scan of the model does,
// whatever the processes' times and drops.
func TestArrivalHeapMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var h arrivalHeap
		// noTree: a run too long for the tree's packed keys keeps every
		// process in the heap.
		h.noTree = rapid.Bool().Draw(t, "noTree")
		model := map[int32]time.Duration{}
		// Up to twice heapProcs processes: the heap, and the tree that
		// takes over; times from ties to seconds apart.
		n := rapid.IntRange(1, 2*heapProcs).Draw(t, "procs")
		delta := rapid.OneOf(rapid.Int64Range(0, 10), rapid.Int64Range(0, 3e9))
		for p := int32(0); p < int32(n); p++ {
			at := time.Duration(rapid.Int64Range(0, 20).Draw(t, "at"))
			h.schedule(p, at)
			model[p] = at
		}
		for len(model) > 0 {
			want, wantAt := int32(-1), time.Duration(0)
			for p, at := range model {
				if want < 0 || at < wantAt || (at == wantAt && p < want) {
					want, wantAt = p, at
				}
			}
			p, at, ok := h.peek()
			if !ok || p != want || at != wantAt {
				t.Fatalf("peek = %d@%d %v, want %d@%d", p, at, ok, want, wantAt)
			}
			if h.Len() != len(model) {
				t.Fatalf("Len %d, model %d", h.Len(), len(model))
			}
			if rapid.IntRange(0, 4).Draw(t, "drop") == 0 {
				h.reschedule(0, false)
				delete(model, p)
				continue
			}
			next := at + time.Duration(delta.Draw(t, "delta"))
			h.reschedule(next, true)
			model[p] = next
		}
		if _, _, ok := h.peek(); ok {
			t.Fatal("heap not empty after every process dropped")
		}
	})
}
