package eventq

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestKeyedMatchesModel: with PushKeyed, events pop in (time, key) order
// whatever the order the keys come in, in the wheel and beyond it, and
// PeekAt stays the earliest time.
func TestKeyedMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var q Queue[int]
		var model []Event[int]
		var now time.Duration
		pending := map[uint64]bool{}
		delta := rapid.OneOf(
			rapid.Int64Range(0, 3),                                  // ties
			rapid.Int64Range(0, 1<<slotShift),                       // within a slot or two
			rapid.Int64Range(0, wheelSlots<<slotShift+1<<slotShift), // across the wheel's edge
			rapid.Int64Range(0, 1<<40),                              // far ahead
		)
		t.Repeat(map[string]func(*rapid.T){
			"push": func(t *rapid.T) {
				key := rapid.Uint64Range(0, 50).Draw(t, "key")
				if pending[key] {
					return
				}
				pending[key] = true
				at := now + time.Duration(delta.Draw(t, "delta"))
				q.PushKeyed(at, key, int(key))
				model = append(model, Event[int]{At: at, Seq: key, Value: int(key)})
			},
			"pop": func(t *rapid.T) {
				if at, ok := q.PeekAt(); ok != (len(model) > 0) || ok && at != model[minIndex(model)].At {
					t.Fatalf("PeekAt = %v %v", at, ok)
				}
				e, ok := q.Pop()
				if len(model) == 0 {
					if ok {
						t.Fatalf("Pop on empty model returned %+v", e)
					}
					return
				}
				m := minIndex(model)
				if !ok || e != model[m] {
					t.Fatalf("Pop = %+v %v, model wants %+v", e, ok, model[m])
				}
				model = append(model[:m], model[m+1:]...)
				delete(pending, e.Seq)
				now = e.At
			},
		})
	})
}

// TestPopAfterPeekSeesKeyedTie: PeekAt locates the earliest event (here
// in the heap) for Pop; a keyed event pushed since at the same time with
// a smaller key (here into the wheel) must still pop first.
func TestPopAfterPeekSeesKeyedTie(t *testing.T) {
	var q Queue[int]
	at := time.Duration(2 * wheelSlots << slotShift)
	q.PushKeyed(at-1000, 7, 7) // beyond the wheel: the heap
	q.PushKeyed(at, 5, 5)      // the heap too
	if e, _ := q.Pop(); e.Value != 7 {
		t.Fatalf("first pop = %d, want 7", e.Value)
	}
	// The wheel now starts at at-1000's slot, so at lies in it.
	if next, _ := q.PeekAt(); next != at {
		t.Fatalf("PeekAt = %v, want %v", next, at)
	}
	q.PushKeyed(at, 1, 1)
	for _, want := range []int{1, 5} {
		if e, _ := q.Pop(); e.Value != want {
			t.Fatalf("pop = %d, want %d", e.Value, want)
		}
	}
}
