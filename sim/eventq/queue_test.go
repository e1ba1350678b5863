package eventq

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestZeroValueAndEmpty(t *testing.T) {
	var q Queue[int]
	if _, ok := q.Pop(); ok {
		t.Fatal("Pop on empty queue reported ok")
	}
	if _, ok := q.Peek(); ok {
		t.Fatal("Peek on empty queue reported ok")
	}
	q.Push(5, 1)
	if e, ok := q.Peek(); !ok || e.At != 5 || e.Value != 1 || q.Len() != 1 {
		t.Fatalf("Peek = %+v %v, Len %d", e, ok, q.Len())
	}
}

func TestTiesBreakByInsertionOrder(t *testing.T) {
	q := New[string](0)
	q.Push(10, "c")
	q.Push(5, "a")
	q.Push(10, "d")
	q.Push(5, "b")
	q.Push(10, "e")
	var got string
	for q.Len() > 0 {
		e, _ := q.Pop()
		got += e.Value
	}
	if got != "abcde" {
		t.Fatalf("pop order %q, want abcde", got)
	}
}

func TestResetKeepsSequenceUnique(t *testing.T) {
	q := New[int](4)
	a := q.Push(1, 0)
	q.Reset()
	if q.Len() != 0 {
		t.Fatal("Reset left events")
	}
	if b := q.Push(1, 0); b <= a {
		t.Fatalf("sequence after Reset %d, not after %d", b, a)
	}
}

func TestPopClearsVacatedSlot(t *testing.T) {
	q := New[*int](2)
	x, y := 1, 2
	q.Push(1, &x)
	q.Push(2, &y)
	q.Pop()
	if spare := q.wheel[1]; spare.Value != nil { // slot 0's second place
		t.Fatal("popped slot still references its payload")
	}
	// Far from the wheel's window: the heap's vacated slot.
	q.Push(time.Hour, &x)
	q.Push(2*time.Hour, &y)
	q.Pop()
	q.Pop()
	if spare := q.far[:2][1]; spare.Value != nil {
		t.Fatal("popped heap slot still references its payload")
	}
}

// Property: after any batch of pushes, popping everything yields events in
// non-decreasing (At, Seq) order, and events with equal At come out in push
// order.
func TestPopOrderProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// A narrow time range forces many ties.
		times := rapid.SliceOf(rapid.Int64Range(0, 20)).Draw(t, "times")
		var q Queue[int]
		for i, at := range times {
			q.Push(time.Duration(at), i)
		}
		prev := Event[int]{At: -1}
		lastIndexAt := map[time.Duration]int{}
		for n := 0; n < len(times); n++ {
			e, ok := q.Pop()
			if !ok {
				t.Fatalf("queue empty after %d of %d pops", n, len(times))
			}
			if e.At < prev.At || (e.At == prev.At && e.Seq <= prev.Seq) {
				t.Fatalf("pop %d: (%d,%d) after (%d,%d)", n, e.At, e.Seq, prev.At, prev.Seq)
			}
			if last, seen := lastIndexAt[e.At]; seen && e.Value < last {
				t.Fatalf("time %d: push #%d popped after push #%d (not FIFO)", e.At, e.Value, last)
			}
			lastIndexAt[e.At] = e.Value
			if times[e.Value] != int64(e.At) {
				t.Fatalf("payload %d came back with time %d, pushed at %d", e.Value, e.At, times[e.Value])
			}
			prev = e
		}
		if q.Len() != 0 {
			t.Fatalf("%d events left", q.Len())
		}
	})
}

// Property: interleaved Push, Pop and Peek agree with a naive model that
// scans a slice for the minimum (At, Seq).
func TestQueueMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var q Queue[int]
		var model []Event[int]
		next := 0
		t.Repeat(map[string]func(*rapid.T){
			"push": func(t *rapid.T) {
				at := time.Duration(rapid.Int64Range(0, 10).Draw(t, "at"))
				seq := q.Push(at, next)
				model = append(model, Event[int]{At: at, Seq: seq, Value: next})
				next++
			},
			"pop": func(t *rapid.T) {
				if rapid.Bool().Draw(t, "peek first") {
					q.PeekAt() // Pop then takes the earliest PeekAt located
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
			},
			"peek": func(t *rapid.T) {
				e, ok := q.Peek()
				if len(model) == 0 {
					if ok {
						t.Fatalf("Peek on empty model returned %+v", e)
					}
					return
				}
				if m := model[minIndex(model)]; !ok || e != m {
					t.Fatalf("Peek = %+v %v, model wants %+v", e, ok, m)
				}
			},
			"": func(t *rapid.T) {
				if q.Len() != len(model) {
					t.Fatalf("Len %d, model %d", q.Len(), len(model))
				}
			},
		})
	})
}

func minIndex(es []Event[int]) int {
	m := 0
	for i := range es {
		if es[i].At < es[m].At || (es[i].At == es[m].At && es[i].Seq < es[m].Seq) {
			m = i
		}
	}
	return m
}

func TestSteadyStateDoesNotAllocate(t *testing.T) {
	q := New[int](1024)
	for i := 0; i < 1000; i++ {
		q.Push(time.Duration(i*7919%1000), i)
	}
	now := time.Duration(0)
	allocs := testing.AllocsPerRun(1000, func() {
		e, _ := q.Pop()
		now = e.At
		q.Push(now+time.Duration(e.Value%500), e.Value)
	})
	if allocs != 0 {
		t.Fatalf("%v allocs per pop+push", allocs)
	}
}

// Property: with times spread as a simulation's are (mostly within a second
// after the last event popped, some far ahead, some before it, some on
// slot boundaries), Push, Pop and Peek agree with the naive model: the
// wheel, the heap and the moves of the wheel's window never change the
// (At, Seq) order.
func TestWheelMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var q Queue[int]
		var model []Event[int]
		var now time.Duration
		next := 0
		delta := rapid.OneOf(
			rapid.Int64Range(0, 1<<slotShift),                       // within a slot or two
			rapid.Int64Range(0, wheelSlots<<slotShift+1<<slotShift), // across the wheel's edge
			rapid.Int64Range(0, 1<<40),                              // far ahead
			rapid.Int64Range(-3<<slotShift, 0),                      // before the last pop
			rapid.SampledFrom([]int64{0, 1 << slotShift, wheelSlots << slotShift, wheelSlots<<slotShift - 1}),
		)
		t.Repeat(map[string]func(*rapid.T){
			"push": func(t *rapid.T) {
				at := now + time.Duration(delta.Draw(t, "delta"))
				seq := q.Push(at, next)
				model = append(model, Event[int]{At: at, Seq: seq, Value: next})
				next++
			},
			"pop": func(t *rapid.T) {
				if rapid.Bool().Draw(t, "peek first") {
					q.PeekAt() // Pop then takes the earliest PeekAt located
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
				now = e.At
			},
			"popValue": func(t *rapid.T) {
				// As the simulator pops: PeekAt for the time, PopValue
				// for the payload.
				at, ok := q.PeekAt()
				if len(model) == 0 {
					if ok {
						t.Fatalf("PeekAt on empty model returned %v", at)
					}
					return
				}
				m := minIndex(model)
				if v := q.PopValue(); !ok || at != model[m].At || v != model[m].Value {
					t.Fatalf("PeekAt, PopValue = %v %v, %d; model wants %+v", at, ok, v, model[m])
				}
				model = append(model[:m], model[m+1:]...)
				now = at
			},
			"peek": func(t *rapid.T) {
				e, ok := q.Peek()
				if len(model) == 0 {
					if ok {
						t.Fatalf("Peek on empty model returned %+v", e)
					}
					if _, ok := q.PeekAt(); ok {
						t.Fatal("PeekAt on empty queue reported ok")
					}
					return
				}
				if m := model[minIndex(model)]; !ok || e != m {
					t.Fatalf("Peek = %+v %v, model wants %+v", e, ok, m)
				}
				if at, ok := q.PeekAt(); !ok || at != e.At {
					t.Fatalf("PeekAt = %v %v, Peek %+v", at, ok, e)
				}
			},
			"reset": func(t *rapid.T) {
				if rapid.IntRange(0, 20).Draw(t, "reset") == 0 {
					q.Reset()
					model = model[:0]
				}
			},
			"": func(t *rapid.T) {
				if q.Len() != len(model) {
					t.Fatalf("Len %d, model %d", q.Len(), len(model))
				}
			},
		})
	})
}

// A full slot's further events wait in the heap, and still pop in (At,
// Seq) order among the slot's own, by Pop and by PeekAt then PopValue.
func TestFullSlotSpillsInOrder(t *testing.T) {
	for _, peek := range []bool{false, true} {
		q := New[int](0)
		const n = 3 * slotCap
		for i := 0; i < n; i++ {
			// All in slot 0, in an order that interleaves the ones kept in
			// the slot with the ones spilt.
			q.Push(time.Duration((i*7)%n), i)
		}
		if q.cnt[0] != slotCap || len(q.far) != n-slotCap {
			t.Fatalf("slot holds %d, heap %d", q.cnt[0], len(q.far))
		}
		for k := 0; k < n; k++ {
			var at time.Duration
			var v int
			if peek {
				at, _ = q.PeekAt()
				v = q.PopValue()
			} else {
				e, _ := q.Pop()
				at, v = e.At, e.Value
			}
			if at != time.Duration(k) || (v*7)%n != k {
				t.Fatalf("pop %d = %v (event %d)", k, at, v)
			}
		}
	}
}
