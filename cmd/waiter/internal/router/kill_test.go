package router

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// An operator kill (EvKillInstance): the engine stops routing to the
// instance before the scheduler has killed it, the scheduler starts a
// replacement, and the requested count is what it was.
func TestOperatorKillReplaces(t *testing.T) {
	gate := gatedKill{entered: make(chan string, 1), gate: make(chan struct{})}
	h := newHarnessWith(t, func(s *fakesched.Scheduler) engine.Scheduler {
		gate.Scheduler = s
		return gate
	}, nil)
	d := desc(t, engine.Params{"min-instances": 2.0})
	h.d.Start(d)
	h.waitOp(t, "create", d.ID)
	h.observe(t)
	before := h.service(t, d.ID)
	if len(before.Instances) != 2 || before.Healthy() != 2 || before.Requested != 2 {
		t.Fatalf("before the kill: %+v", before)
	}
	victim := before.Instances[0].ID

	killed := make(chan error, 1)
	go func() { killed <- h.d.KillInstance(context.Background(), d.ID, victim) }()
	if got := <-gate.entered; got != victim {
		t.Fatalf("scheduler asked to kill %s, want %s", got, victim)
	}
	// The kill is in flight: the instance is locked and gets no request.
	snap := h.service(t, d.ID)
	if i := slices.IndexFunc(snap.Instances, func(in waiter.InstanceSnapshot) bool { return in.ID == victim }); i < 0 || !snap.Instances[i].Locked {
		t.Errorf("victim not shown locked while its kill runs: %+v", snap.Instances)
	}
	if err := h.d.KillInstance(context.Background(), d.ID, victim); err == nil {
		t.Error("a second kill of the same instance was accepted")
	}
	for range 3 {
		g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
		if err != nil {
			t.Fatal(err)
		}
		if g.Instance == victim {
			t.Errorf("request routed to %s while it is being killed", victim)
		}
		h.d.Release(g, engine.OutcomeSuccess)
	}

	close(gate.gate)
	if err := <-killed; err != nil {
		t.Fatalf("KillInstance: %v", err)
	}
	insts := h.sched.Instances(d.ID)
	if len(insts) != 2 || slices.ContainsFunc(insts, func(in fakesched.Instance) bool { return in.ID == victim }) {
		t.Errorf("scheduler runs %v, want two instances without %s", insts, victim)
	}
	obs, err := h.sched.Observe(context.Background())
	if err != nil || obs[d.ID].Requested != 2 {
		t.Errorf("scheduler's requested count %d (%v), want 2", obs[d.ID].Requested, err)
	}
	h.observe(t)
	after := h.service(t, d.ID)
	if after.Requested != 2 || len(after.Instances) != 2 || len(after.Killed) != 1 || after.Killed[0].ID != victim {
		t.Errorf("after the kill: requested %d, instances %v, killed %v", after.Requested, after.Instances, after.Killed)
	}
	// Gone from the scheduler, the instance is unknown.
	if err := h.d.KillInstance(context.Background(), d.ID, victim); !errors.Is(err, waiter.ErrInstanceNotFound) {
		t.Errorf("kill of a killed instance = %v, want ErrInstanceNotFound", err)
	}
}
