package engine

import (
	"testing"
	"unsafe"

	"pgregory.net/rapid"
)

// TestReqMapMatchesMap drives reqMap and a Go map with the same random
// puts, gets and deletes (ids from a small range, so runs collide and
// deletions shift entries back) and requires the same answers.
func TestReqMapMatchesMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var m reqMap
		ref := map[RequestID]uint64{}
		ops := rapid.IntRange(1, 3000).Draw(t, "ops")
		for i := 0; i < ops; i++ {
			id := RequestID(rapid.Uint64Range(0, 300).Draw(t, "id"))
			switch rapid.IntRange(0, 2).Draw(t, "op") {
			case 0:
				m.put(id, reqRecord{seq: uint64(i)})
				ref[id] = uint64(i)
			case 1:
				m.del(id)
				delete(ref, id)
			}
			rec, ok := m.get(id)
			want, wok := ref[id]
			if ok != wok || rec.seq != want {
				t.Fatalf("op %d id %d: got %v %v, want %v %v", i, id, rec.seq, ok, want, wok)
			}
			if m.n != len(ref) {
				t.Fatalf("op %d: %d entries, want %d", i, m.n, len(ref))
			}
		}
		for id, want := range ref {
			if rec, ok := m.get(id); !ok || rec.seq != want {
				t.Fatalf("id %d: got %v %v, want %v", id, rec.seq, ok, want)
			}
		}
	})
}

// TestRequestSlotIsOneLine keeps a reqMap slot at 64 bytes, one cache
// line: reqMap holds every unfinished request and moves whole slots when
// it grows, shrinks and deletes, so a queued request's timeout lives in
// its queue entry instead (a slot with it was 80 bytes).
func TestRequestSlotIsOneLine(t *testing.T) {
	if n := unsafe.Sizeof(reqSlot{}); n != 64 {
		t.Errorf("a reqMap slot is %d bytes, want 64", n)
	}
	if n := unsafe.Sizeof(queueEntry{}); n != 24 {
		t.Errorf("a queue entry is %d bytes, want 24", n)
	}
}
