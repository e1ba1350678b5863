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

// TestReqMapBurstsReuseTheirTables: once a burst has grown the table and
// its end shrunk it back, the next burst as large takes no memory, and
// the map still answers as a Go map would (TestReqMapMatchesMap covers
// the rest).
func TestReqMapBurstsReuseTheirTables(t *testing.T) {
	var m reqMap
	burst := func() {
		for i := 1; i <= 5000; i++ {
			m.insert(RequestID(i)).seq = uint64(i)
		}
		for i := 1; i <= 5000; i++ {
			if rec, ok := m.get(RequestID(i)); !ok || rec.seq != uint64(i) {
				t.Fatalf("request %d: record %+v, %v after the burst's inserts", i, rec, ok)
			}
		}
		for i := 1; i <= 5000; i++ {
			m.del(RequestID(i))
		}
		if m.n != 0 || len(m.slots) != reqMapMinSize {
			t.Fatalf("after the burst: %d requests in a table of %d, want 0 in %d", m.n, len(m.slots), reqMapMinSize)
		}
		for i := range m.slots {
			if m.slots[i] != (reqSlot{}) {
				t.Fatalf("slot %d of the shrunk table is not empty: %+v", i, m.slots[i])
			}
		}
	}
	burst()
	if allocs := testing.AllocsPerRun(3, burst); allocs != 0 {
		t.Errorf("a burst as large as an earlier one allocated %.0f times, want 0", allocs)
	}
}
