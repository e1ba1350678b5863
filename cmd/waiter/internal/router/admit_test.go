package router

import (
	"context"
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// A request the engine dispatches at once is answered under the lock: it
// leaves its record only (dispatched, no reply channel), nothing once
// released, and admitting and releasing it allocate nothing.
func TestAdmitAnsweredAtOnce(t *testing.T) {
	h := newHarness(t)
	d := desc(t, engine.Params{"concurrency-level": 2.0})
	adm := waiter.Admission{Description: d}
	first, err := h.d.Admit(context.Background(), adm) // a cold start: queued, answered later
	if err != nil {
		t.Fatalf("Admit: %v", err)
	}
	g, err := h.d.Admit(context.Background(), adm) // a free slot: answered at once
	if err != nil {
		t.Fatalf("second Admit: %v", err)
	}
	if g.Instance != first.Instance || g.Request == first.Request {
		t.Fatalf("grants %+v and %+v", first, g)
	}
	h.d.do(func() {
		r, ok := h.d.reqs[g.Request]
		if !ok || !r.dispatched || r.reply != nil || h.d.admitting != 0 || h.d.admitDone {
			t.Errorf("record of a request answered at once: %+v (present %v), admitting %d done %v",
				r, ok, h.d.admitting, h.d.admitDone)
		}
	})
	h.d.Release(g, engine.OutcomeSuccess)
	allocs := testing.AllocsPerRun(200, func() {
		g, err := h.d.Admit(context.Background(), adm)
		if err != nil {
			t.Fatalf("Admit: %v", err)
		}
		h.d.Release(g, engine.OutcomeSuccess)
	})
	if allocs != 0 {
		t.Errorf("Admit and Release of a request answered at once: %.1f allocations, want 0", allocs)
	}
	h.d.Release(first, engine.OutcomeSuccess)
	h.d.do(func() {
		if len(h.d.reqs) != 0 {
			t.Errorf("records left after every release: %v", h.d.reqs)
		}
	})
	if c := h.service(t, d.ID).Counters; c.ColdStarts != 1 {
		t.Errorf("cold starts %d, want 1 (only the first request waited)", c.ColdStarts)
	}
}
