package engine

import "testing"

// TestServiceRefIsOnlyAHint: a request carrying a handle goes to the
// service its id names whatever the handle: its own, another service's,
// another engine's, a removed service's or none.
func TestServiceRefIsOnlyAHint(t *testing.T) {
	a := mustDesc(t, Params{"name": "a"})
	b := mustDesc(t, Params{"name": "b"})
	e, other := New(Config{}), New(Config{})
	for _, eng := range []*Engine{e, other} {
		eng.Step(Event{Kind: EvRequestArrived, At: epoch, Service: a.ID, Request: 1, Description: a})
		eng.Step(Event{Kind: EvRequestArrived, At: epoch, Service: b.ID, Request: 2, Description: b})
	}
	refA, refB := e.ServiceRef(a.ID), e.ServiceRef(b.ID)
	if !e.RefLive(refA) || e.RefLive(other.ServiceRef(a.ID)) || e.RefLive(ServiceRef{}) || e.RefLive(e.ServiceRef("nope")) {
		t.Fatal("RefLive: want live only for e's own known service")
	}
	id := RequestID(10)
	for name, ref := range map[string]ServiceRef{"own": refA, "other service": refB,
		"other engine": other.ServiceRef(a.ID), "zero": {}} {
		id++
		e.Step(Event{Kind: EvRequestArrived, At: epoch, Service: a.ID, Request: id, Ref: ref})
		if got, ok := e.requests.get(id); !ok || got.svc.id != a.ID {
			t.Fatalf("%s handle: request not held by service a", name)
		}
	}
	e.removeService(refA.svc, ReasonServiceDeleted, "test")
	if e.RefLive(refA) {
		t.Fatal("a removed service's handle is live")
	}
	id++
	e.Step(Event{Kind: EvRequestArrived, At: epoch, Service: a.ID, Request: id, Description: a, Ref: refA})
	got, ok := e.requests.get(id)
	if !ok || got.svc == refA.svc || got.svc != e.ServiceRef(a.ID).svc {
		t.Fatal("a removed service's handle: the request did not go to the re-created service")
	}
}
