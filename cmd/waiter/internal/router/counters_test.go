package router

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// A request that waits for a service without a healthy instance is a
// cold start; one served at once is not. New instances are launches, an
// operator's kill is a kill (and its replacement a launch), and the
// instance's way to healthy is a start-up time.
func TestCountersColdStartLaunchKill(t *testing.T) {
	h := newHarness(t)
	d := desc(t, nil)
	granted := make(chan waiter.Grant, 1)
	go func() {
		g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
		if err != nil {
			t.Errorf("Admit: %v", err)
		}
		granted <- g
	}()
	h.waitOp(t, "create", d.ID)
	h.observe(t)
	h.d.Release(<-granted, engine.OutcomeSuccess)
	g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatal(err)
	}
	h.d.Release(g, engine.OutcomeSuccess)
	if c := h.service(t, d.ID).Counters; c.ColdStarts != 1 || c.Launched != 1 || c.Killed != 0 {
		t.Fatalf("after a cold and a warm request: %+v, want 1 cold start, 1 launch", c)
	}

	victim := h.service(t, d.ID).Instances[0].ID
	if err := h.d.KillInstance(context.Background(), d.ID, victim); err != nil {
		t.Fatal(err)
	}
	h.observe(t)
	if c := h.service(t, d.ID).Counters; c.Killed != 1 || c.Launched != 2 || c.Failed != 0 {
		t.Errorf("after an operator kill: %+v, want 1 kill and the replacement's launch", c)
	}
	loads := h.d.ServiceLoads()
	if len(loads) != 1 || loads[0].Counters != h.service(t, d.ID).Counters || loads[0].Name != d.Name {
		t.Errorf("ServiceLoads %+v disagree with the snapshot", loads)
	}
	reg := gatherer(t, h)
	if n := sampleCount(t, reg, "waiter_instance_startup_seconds", nil); n != 2 {
		t.Errorf("%d start-up times, want one per instance", n)
	}
}

// Failed instances count once each, however often the scheduler lists
// them; one that no observation saw live also counts as launched (it
// started and failed between two observations).
func TestCountersFailedOncePerInstance(t *testing.T) {
	d := desc(t, nil)
	h := newHarnessWith(t, func(s *fakesched.Scheduler) engine.Scheduler {
		return failing{Scheduler: s, ids: map[string]bool{d.ID: true}}
	}, nil)
	h.sched.StartUnhealthy(d.ID, true)
	h.d.Start(d)
	h.waitOp(t, "create", d.ID)
	h.observe(t)
	h.observe(t)
	if c := h.service(t, d.ID).Counters; c.Failed != 2 || c.Launched != 3 {
		t.Errorf("counters %+v, want the two failed instances once, and three launches (theirs and the live one's)", c)
	}
}

// An adopted service's instances ran before the router knew the service:
// they are not counted as launches.
func TestCountersAdoptedServiceLaunchedNothing(t *testing.T) {
	d := desc(t, nil)
	h := newHarnessWith(t, nil, func(c *Config) {
		c.Describe = func(id string) (*engine.Description, bool) { return d, id == d.ID }
	})
	if err := h.sched.CreateService(context.Background(), d, 2); err != nil {
		t.Fatal(err)
	}
	h.observe(t)
	h.observe(t)
	if c := h.service(t, d.ID).Counters; c.Launched != 0 {
		t.Errorf("adopted service counted %d launches, want 0", c.Launched)
	}
}

// gatherer registers the driver's metrics on a pedantic registry.
func gatherer(t *testing.T, h *harness) prometheus.Gatherer {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(h.d)
	return reg
}
