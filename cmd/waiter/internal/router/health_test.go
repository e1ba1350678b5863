package router

import (
	"testing"

	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// HealthyCount is the snapshot's Healthy(): two healthy instances, none
// for a service whose instances fail their checks, unknown for a
// service the engine does not know.
func TestHealthyCountIsSnapshots(t *testing.T) {
	h := newHarness(t)
	d := desc(t, engine.Params{"min-instances": 2.0})
	h.d.Start(d)
	h.waitOp(t, "create", d.ID)
	h.observe(t)
	if n, ok := h.d.HealthyCount(d.ID); !ok || n != 2 || n != h.service(t, d.ID).Healthy() {
		t.Fatalf("HealthyCount = %d, %v; snapshot %d", n, ok, h.service(t, d.ID).Healthy())
	}
	if _, ok := h.d.HealthyCount("no-such-service"); ok {
		t.Fatal("an unknown service has a count")
	}

	sick := desc(t, engine.Params{"name": "sick"})
	u := newHarnessWith(t, func(s *fakesched.Scheduler) engine.Scheduler {
		return failing{Scheduler: s, ids: map[string]bool{sick.ID: true}}
	}, nil)
	u.sched.StartUnhealthy(sick.ID, true)
	u.d.Start(sick)
	u.waitOp(t, "create", sick.ID)
	u.observe(t)
	if n, ok := u.d.HealthyCount(sick.ID); !ok || n != 0 || u.service(t, sick.ID).Healthy() != 0 {
		t.Fatalf("HealthyCount = %d, %v for unhealthy instances", n, ok)
	}
}
