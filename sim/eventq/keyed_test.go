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
