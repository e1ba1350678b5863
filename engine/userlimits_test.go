package engine

import (
	"strings"
	"testing"
	"time"
)

func userDesc(t *testing.T, user, version string, extra Params) *Description {
	t.Helper()
	p := Params{"run-as-user": user, "version": version}
	for k, v := range extra {
		p[k] = v
	}
	return mustDesc(t, p)
}

func detail(err *Error, key string) string {
	for _, d := range err.Details {
		if d.Key == key {
			return d.Value
		}
	}
	return ""
}

// A user with the most services allowed gets 429 for one more, while
// requests to the services it has go on; other users are not affected,
// and a removed service makes room.
func TestServicesPerUser(t *testing.T) {
	h := newHarness(t, Config{MaxServicesPerUser: 2})
	a1, a2, a3 := userDesc(t, "alice", "1", nil), userDesc(t, "alice", "2", nil), userDesc(t, "alice", "3", nil)
	h.arrive(1, a1)
	h.arrive(2, a2)
	acts := h.arrive(3, a3)
	rs := only(acts, ActReject)
	if len(rs) != 1 || rs[0].Err.Code != CodeTooMany || rs[0].Err.Reason != ReasonUserServiceLimit {
		t.Fatalf("third service of alice: %s", describe(acts))
	}
	if !strings.Contains(rs[0].Err.Message, "alice") || !strings.Contains(rs[0].Err.Message, "max-services-per-user") ||
		detail(rs[0].Err, "limit") != "2" || detail(rs[0].Err, "user") != "alice" {
		t.Errorf("message %q details %v", rs[0].Err.Message, rs[0].Err.Details)
	}
	if len(only(acts, ActCreateService)) != 0 || h.e.Knows(a3.ID) {
		t.Error("the refused service was created")
	}
	if err := h.e.CheckNewService(a3); err == nil || err.Reason != ReasonUserServiceLimit {
		t.Errorf("CheckNewService(a third service) = %v", err)
	}
	if err := h.e.CheckNewService(a1); err != nil {
		t.Errorf("CheckNewService(a known service) = %v", err)
	}
	if acts := h.arrive(4, a1); len(only(acts, ActReject)) != 0 {
		t.Errorf("a request to an existing service was refused: %s", describe(acts))
	}
	if acts := h.arrive(5, userDesc(t, "bob", "1", nil)); len(only(acts, ActCreateService)) != 1 {
		t.Errorf("bob was limited by alice's services: %s", describe(acts))
	}
	h.step(Event{Kind: EvDeleteService, Service: a2.ID})
	if acts := h.arrive(6, a3); len(only(acts, ActCreateService)) != 1 {
		t.Errorf("a deleted service did not make room: %s", describe(acts))
	}
	// Starting a service without a request is limited the same way.
	if acts := h.step(Event{Kind: EvStartService, Service: a2.ID, Description: a2}); len(only(acts, ActCreateService)) != 0 || h.e.Knows(a2.ID) {
		t.Errorf("a start past the limit created the service: %s", describe(acts))
	}
}

// The instances a user's services ask the scheduler for are bounded: a
// new service whose min-instances do not fit is refused with 429, and
// scaling up stops at the limit.
func TestInstancesPerUser(t *testing.T) {
	h := newHarness(t, Config{MaxInstancesPerUser: 5})
	big := userDesc(t, "alice", "big", Params{"min-instances": 3.0, "scale-up-factor": 0.9})
	h.arrive(1, big)
	acts := h.arrive(2, userDesc(t, "alice", "more", Params{"min-instances": 3.0}))
	rs := only(acts, ActReject)
	if len(rs) != 1 || rs[0].Err.Code != CodeTooMany || rs[0].Err.Reason != ReasonUserInstanceLimit ||
		!strings.Contains(rs[0].Err.Message, "max-instances-per-user") {
		t.Fatalf("a service past the instance limit: %s", describe(acts))
	}
	// Load on the big service asks for far more than 5; it gets 5.
	insts := []ObservedInstance{healthyAt("a", epoch), healthyAt("b", epoch), healthyAt("c", epoch)}
	h.observe(big, 3, insts...)
	for i := RequestID(10); i < 60; i++ {
		h.arrive(i, big)
	}
	var scaled []Action
	for range 30 {
		scaled = append(scaled, only(h.advance(time.Second), ActScaleService)...)
		if n := len(scaled); n > 0 {
			h.step(Event{Kind: EvScaleResult, Service: big.ID})
			h.observe(big, scaled[n-1].Instances, insts...)
		}
	}
	if len(scaled) == 0 {
		t.Fatal("no scale-up at all")
	}
	for _, a := range scaled {
		if a.Instances > 5 {
			t.Errorf("scaled to %d, past the limit of 5 instances per user", a.Instances)
		}
	}
	if last := scaled[len(scaled)-1]; last.Instances != 5 {
		t.Errorf("scaled up to %d, want the limit 5", last.Instances)
	}
}
