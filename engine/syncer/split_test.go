package syncer

import (
	"reflect"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// TestStepSplitIsStep drives two syncers alike, one through Step and one
// through StepSplit, and checks that each step's engine actions passed
// through, then the syncer's own, are Step's actions in Step's order; the
// script reaches a step that has both (a request queued behind a busy
// instance: the engine's wake for its timeout, then the syncer's poll).
func TestStepSplitIsStep(t *testing.T) {
	newSyncer := func() *Syncer {
		return New(engine.New(engine.Config{Seed: 1, DeploymentErrorMinHosts: 1}), Config{KeepViews: true})
	}
	plain, split := newSyncer(), newSyncer()
	desc, err := engine.NewDescription(engine.Params{"cmd": "run a", "cpus": 1.0, "mem": 256.0, "version": "v1",
		"name": "a", "max-instances": 1.0, "concurrency-level": 1.0}, engine.DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	now := epoch
	both := false
	step := func(ev engine.Event) {
		t.Helper()
		want := plain.Step(now, ev)
		pass, out := split.StepSplit(now, &ev)
		both = both || len(pass) > 0 && len(out) > 0
		var got []Action
		for _, a := range pass {
			got = append(got, Action{Kind: ActEngine, Engine: a})
		}
		got = append(got, out...)
		if (len(got) > 0 || len(want) > 0) && !reflect.DeepEqual(got, want) {
			t.Fatalf("event %v: StepSplit gave\n%s\nStep gave\n%s", ev.Kind, Describe(got, epoch), Describe(want, epoch))
		}
	}
	same := func(f func(s *Syncer) []Action) {
		t.Helper()
		if got, want := f(split), f(plain); !reflect.DeepEqual(got, want) {
			t.Fatalf("the syncers diverged: %s, %s", Describe(got, epoch), Describe(want, epoch))
		}
	}
	same(func(s *Syncer) []Action { return s.Start(now) })
	step(engine.Event{Kind: engine.EvRequestArrived, Service: desc.ID, Description: desc, Request: 1})
	same(func(s *Syncer) []Action { return s.CallDone(now, 1, nil) })
	now = now.Add(time.Second)
	same(func(s *Syncer) []Action {
		seq := s.PollStarted(now)
		o := &engine.Observation{Exists: true, Requested: 1, Scheduled: 1, Instances: []engine.ObservedInstance{
			{ID: "a.1", Host: "host", Port: 1, StartedAt: now, Healthy: true}}}
		acts := append([]Action(nil), s.Observed(now, seq, desc.ID, o, nil)...)
		return append(acts, s.PollDone(now, seq, nil, func(string) bool { return true })...)
	})
	now = now.Add(time.Second)
	step(engine.Event{Kind: engine.EvRequestArrived, Service: desc.ID, Description: desc, Request: 2, QueueTimeout: 30 * time.Second})
	now = now.Add(time.Second)
	step(engine.Event{Kind: engine.EvRequestFinished, Request: 1, Outcome: engine.OutcomeSuccess})
	step(engine.Event{Kind: engine.EvRequestFinished, Request: 2, Outcome: engine.OutcomeSuccess})
	step(engine.Event{Kind: engine.EvTick})
	if !both {
		t.Fatal("no step had both engine actions passed through and the syncer's own: the order went untested")
	}
}
