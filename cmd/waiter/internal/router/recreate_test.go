package router

import (
	"context"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// gatedDelete is a fake scheduler whose deletes announce themselves on
// entered and then wait for gate to close: the scheduler lists the
// service, and its instances answer, until the delete is let through.
type gatedDelete struct {
	*fakesched.Scheduler
	entered chan string
	gate    chan struct{}
}

func (g gatedDelete) DeleteService(ctx context.Context, id string) error {
	g.entered <- id
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.Scheduler.DeleteService(ctx, id)
}

// A request for a service deleted a moment ago (the same id) re-creates
// it. While the delete is in flight the scheduler lists the old
// incarnation and its healthy instance, which the delete is about to
// kill: the request must not be sent there (it failed with a 502
// "connection reset" in the acceptance suite), and the create must wait
// for the delete, so the new service gets an instance of its own.
func TestRecreateWaitsForDelete(t *testing.T) {
	gate := gatedDelete{entered: make(chan string, 1), gate: make(chan struct{})}
	h := newHarnessWith(t, func(s *fakesched.Scheduler) engine.Scheduler {
		gate.Scheduler = s
		return gate
	}, nil)
	d := desc(t, nil)
	g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatalf("Admit: %v", err)
	}
	old := g.Instance
	h.d.Release(g, engine.OutcomeSuccess)

	if !h.d.DeleteService(d.ID) {
		t.Fatal("DeleteService of a known service = false")
	}
	if got := <-gate.entered; got != d.ID {
		t.Fatalf("scheduler asked to delete %s, want %s", got, d.ID)
	}

	type admitted struct {
		g   waiter.Grant
		err error
	}
	granted := make(chan admitted, 1)
	go func() {
		g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
		granted <- admitted{g, err}
	}()
	// The request waits (its arrival starts a poll at once, which lists
	// the old incarnation), unless it was sent to the old instance.
	waitCond(t, "the request to wait for the re-created service", func() bool {
		snap, ok := h.d.Service(d.ID)
		return len(granted) > 0 || ok && snap.Waiting == 1
	})
	// Another poll while the delete is in flight lists the old
	// incarnation.
	if obs, _ := h.sched.Observe(context.Background()); len(obs[d.ID].Instances) != 1 || obs[d.ID].Instances[0].ID != old {
		t.Fatalf("the scheduler lists %+v, want the old instance %s", obs[d.ID], old)
	}
	h.observe(t)
	if snap := h.service(t, d.ID); snap.Waiting != 1 || snap.InFlight != 0 || len(snap.Instances) != 0 {
		t.Fatalf("while its delete is in flight, the re-created service has %d waiting, %d in flight, instances %+v; %s is being deleted",
			snap.Waiting, snap.InFlight, snap.Instances, old)
	}
	if n := h.sched.Calls("create"); n != 1 {
		t.Errorf("%d creates reached the scheduler before the delete was done, want the first only", n-1)
	}

	close(gate.gate)
	var a admitted
	select {
	case a = <-granted:
	case <-time.After(10 * time.Second):
		t.Fatal("the request was not served once the delete was done")
	}
	if a.err != nil {
		t.Fatalf("Admit: %v", a.err)
	}
	insts := h.sched.Instances(d.ID)
	if a.g.Instance == old || len(insts) != 1 || insts[0].ID != a.g.Instance {
		t.Errorf("served by %s, want the new incarnation's instance (scheduler runs %v, deleted %s)", a.g.Instance, insts, old)
	}
	if n := h.sched.Calls("create"); n != 2 {
		t.Errorf("%d creates, want 2", n)
	}
	h.d.Release(a.g, engine.OutcomeSuccess)
}

// waitCond waits, with a deadline, for cond, which the driver's
// goroutines make true.
func waitCond(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
