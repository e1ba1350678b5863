package sim

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/waiter-go/waiter/engine"
)

// Property: the request table holds what a map from id to state would,
// through puts of increasing ids, deletes by id and by the slot put or
// ref returned, and the growth a long-lived request forces; put returns
// the slot ref finds.
func TestReqTableIsAMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var table reqTable
		model := map[engine.RequestID]reqState{}
		var ids []engine.RequestID // live ids, in put order
		next := engine.RequestID(rapid.Int64Range(1, 1<<40).Draw(t, "first"))
		for i, n := 0, rapid.IntRange(1, 3000).Draw(t, "ops"); i < n; i++ {
			switch op := rapid.IntRange(0, 3).Draw(t, "op"); {
			case op <= 1 || len(ids) == 0:
				next += engine.RequestID(rapid.IntRange(1, 3).Draw(t, "gap"))
				s := reqState{svc: int32(i), task: int32(op), arrived: time.Duration(i)}
				sl := table.put(next, s)
				s.live = true
				if *sl != s || table.ref(next) != sl {
					t.Fatalf("put %d returned %+v at %p, ref finds %p", next, *sl, sl, table.ref(next))
				}
				model[next] = s
				ids = append(ids, next)
			default:
				k := rapid.IntRange(0, len(ids)-1).Draw(t, "victim")
				id := ids[k]
				ids = append(ids[:k], ids[k+1:]...)
				delete(model, id)
				if op == 2 {
					table.del(id)
				} else {
					table.delRef(table.ref(id))
				}
			}
		}
		if table.live != len(model) {
			t.Fatalf("%d live, want %d", table.live, len(model))
		}
		for id, want := range model {
			if got, ok := table.get(id); !ok || got != want {
				t.Fatalf("get(%d) = %+v %v, want %+v", id, got, ok, want)
			}
		}
		table.each(func(id engine.RequestID, s reqState) {
			if want, ok := model[id]; !ok || want != s {
				t.Fatalf("each gave %d %+v, the model %+v %v", id, s, want, ok)
			}
		})
	})
}
