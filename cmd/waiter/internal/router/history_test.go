package router

import (
	"math"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// The ring keeps the newest samples up to its capacity, oldest first,
// and clamps counts to what its compact points hold.
func TestHistoryRingKeepsTheNewest(t *testing.T) {
	h := newHistory(3)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		h.add(waiter.HistorySample{At: base.Add(time.Duration(i) * time.Second), Requested: i, Healthy: math.MaxInt64})
	}
	got := h.samples()
	if len(got) != 3 {
		t.Fatalf("%d samples, want 3", len(got))
	}
	for i, s := range got {
		if want := base.Add(time.Duration(i+2) * time.Second); !s.At.Equal(want) || s.Requested != i+2 {
			t.Errorf("sample %d = %v requested %d, want %v requested %d", i, s.At, s.Requested, want, i+2)
		}
		if s.Healthy != math.MaxInt32 {
			t.Errorf("sample %d healthy %d, want it clamped to %d", i, s.Healthy, math.MaxInt32)
		}
	}
	var none *history
	if s := none.samples(); len(s) != 0 {
		t.Errorf("a service never sampled has %d samples", len(s))
	}
}

// A sample reads each service's engine load, and the totals sum them.
func TestSampleHistoryPerServiceAndTotals(t *testing.T) {
	h := newHarness(t)
	a := desc(t, engine.Params{"name": "a", "min-instances": 2.0})
	b := desc(t, engine.Params{"name": "b"})
	h.d.Start(a)
	h.d.Start(b)
	h.waitOps(t, "create "+a.ID, "create "+b.ID)
	h.observe(t)
	h.d.call(h.d.sampleHistory)
	h.d.call(h.d.sampleHistory)

	ha := h.d.ServiceHistory(a.ID)
	if len(ha) != 2 || ha[1].Requested != 2 || ha[1].Healthy != 2 || ha[1].Desired != 2 || ha[1].Outstanding != 0 {
		t.Fatalf("history of a: %+v, want two samples of 2 requested, healthy and desired", ha)
	}
	if ha[0].At.After(ha[1].At) {
		t.Errorf("samples not oldest first: %v", ha)
	}
	tot := h.d.TotalHistory()
	if len(tot) != 2 || tot[1].Requested != 3 || tot[1].Healthy != 3 {
		t.Errorf("totals %+v, want 3 requested and healthy", tot)
	}
	if got := h.d.ServiceHistory("no-such-service"); got != nil {
		t.Errorf("history of an unknown service: %v", got)
	}
}

// Run samples every HistoryInterval and keeps HistoryWindow's worth.
func TestSamplerKeepsTheWindow(t *testing.T) {
	h := newHarnessWith(t, nil, func(c *Config) {
		c.HistoryInterval = 2 * time.Millisecond
		c.HistoryWindow = 8 * time.Millisecond
	})
	d := desc(t, nil)
	h.d.Start(d)
	h.waitOp(t, "create", d.ID)
	h.advanceUntil(t, "four samples", 2*time.Millisecond, func() bool { return len(h.d.ServiceHistory(d.ID)) == 4 })
	first := h.d.ServiceHistory(d.ID)[0].At
	h.advanceUntil(t, "the oldest sample replaced", 2*time.Millisecond, func() bool {
		s := h.d.ServiceHistory(d.ID)
		return len(s) == 4 && s[0].At.After(first)
	})
	if n := len(h.d.TotalHistory()); n != 4 {
		t.Errorf("%d total samples, want the window's 4", n)
	}
}
