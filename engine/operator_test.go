package engine

import (
	"testing"
	"time"
)

func instanceSnap(t *testing.T, h *harness, svc, id string) InstanceSnapshot {
	t.Helper()
	s, ok := h.e.Service(svc)
	if !ok {
		t.Fatalf("no service %s", svc)
	}
	for _, in := range s.Instances {
		if in.ID == id {
			return in
		}
	}
	t.Fatalf("no instance %s", id)
	return InstanceSnapshot{}
}

// POST /eject: an idle instance is ejected until the given time (requests
// go elsewhere, or wait), then serves again; one serving a request is
// refused (Waiter's 423 in-use) and keeps serving.
func TestOperatorEject(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, Params{"concurrency-level": 1.0})
	h.arrive(1, d)
	h.observe(d, 2, healthyAt("a", epoch), healthyAt("b", epoch.Add(time.Second)))
	busy := ""
	for _, in := range []string{"a", "b"} {
		if instanceSnap(t, h, d.ID, in).InFlight == 1 {
			busy = in
		}
	}
	idle := map[string]string{"a": "b", "b": "a"}[busy]
	if busy == "" {
		t.Fatal("request 1 was not dispatched")
	}
	if found, blocked := h.e.EjectBlocked(d.ID, busy); !found || !blocked {
		t.Errorf("EjectBlocked(busy) = %v, %v; want found and blocked", found, blocked)
	}
	h.step(Event{Kind: EvEjectInstance, Service: d.ID, Instance: busy, Until: h.now.Add(time.Minute)})
	if instanceSnap(t, h, d.ID, busy).Ejected {
		t.Error("an instance serving a request was ejected")
	}
	if found, blocked := h.e.EjectBlocked(d.ID, "nope"); found || blocked {
		t.Error("an unknown instance was found")
	}

	h.step(Event{Kind: EvEjectInstance, Service: d.ID, Instance: idle, Until: h.now.Add(30 * time.Second)})
	if in := instanceSnap(t, h, d.ID, idle); !in.Ejected || !in.EjectedUntil.Equal(h.now.Add(30*time.Second)) {
		t.Fatalf("idle instance not ejected for 30 s: %+v", in)
	}
	// The ejected instance gets no request: the next one waits for busy.
	if ds := only(h.arrive(2, d), ActDispatch); len(ds) != 0 {
		t.Fatalf("request 2 dispatched to %s while %s is busy and %s ejected", ds[0].Instance, busy, idle)
	}
	h.advance(31 * time.Second)
	if instanceSnap(t, h, d.ID, idle).Ejected {
		t.Error("instance still ejected after its period")
	}
}

// Expire: the instance counts as expired, so the scaling pass asks for a
// replacement.
func TestOperatorExpire(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, Params{})
	h.arrive(1, d)
	h.observe(d, 1, healthyAt("a", epoch))
	h.finish(1, OutcomeSuccess)
	h.advanceBy(3 * time.Second)
	h.step(Event{Kind: EvExpireInstance, Service: d.ID, Instance: "a"})
	if !instanceSnap(t, h, d.ID, "a").Expired {
		t.Fatal("instance not expired")
	}
	acts := h.advanceBy(3 * time.Second)
	scaled := false
	for _, a := range only(acts, ActScaleService) {
		scaled = scaled || a.Instances == 2
	}
	if !scaled {
		t.Errorf("no replacement asked for the expired instance: %s", describe(acts))
	}
}

// External activity (EvServiceActivity) postpones idle removal, but a
// time after the event counts as the event's own.
func TestServiceActivityPostponesIdleRemoval(t *testing.T) {
	h := newHarness(t, Config{})
	d := mustDesc(t, Params{"idle-timeout-mins": 1.0})
	h.arrive(1, d)
	h.observe(d, 1, healthyAt("a", epoch))
	h.finish(1, OutcomeSuccess)
	h.advanceBy(50 * time.Second)
	h.step(Event{Kind: EvServiceActivity, Service: d.ID, Until: h.now.Add(-5 * time.Second)})
	if acts := h.advanceBy(50 * time.Second); len(only(acts, ActDeleteService)) != 0 {
		t.Fatal("removed within a minute of the external activity")
	}
	h.step(Event{Kind: EvServiceActivity, Service: d.ID, Until: h.now.Add(time.Hour)}) // from the future: now
	if acts := h.advanceBy(59 * time.Second); len(only(acts, ActDeleteService)) != 0 {
		t.Fatal("removed within a minute of the external activity")
	}
	if acts := h.advanceBy(3 * time.Second); len(only(acts, ActDeleteService)) != 1 {
		t.Fatal("not removed a minute after the last activity")
	}
}
