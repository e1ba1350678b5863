package engine

import (
	"fmt"
	"testing"
	"time"
)

// epoch is the fixed start of every test timeline.
var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// harness drives an Engine by hand and keeps the actions it returned.
type harness struct {
	t   testing.TB
	e   *Engine
	now time.Time
	log []Action
}

func newHarness(t testing.TB, cfg Config) *harness {
	return &harness{t: t, e: New(cfg), now: epoch}
}

func (h *harness) step(ev Event) []Action {
	ev.At = h.now
	acts := append([]Action(nil), h.e.Step(ev)...)
	h.log = append(h.log, acts...)
	return acts
}

func (h *harness) advance(d time.Duration) []Action {
	h.now = h.now.Add(d)
	return h.step(Event{Kind: EvTick})
}

// advanceBy ticks every second for d so that scaling passes run as a
// driver would run them.
func (h *harness) advanceBy(d time.Duration) []Action {
	var all []Action
	for end := h.now.Add(d); h.now.Before(end); {
		all = append(all, h.advance(time.Second)...)
	}
	return all
}

func (h *harness) arrive(id RequestID, d *Description) []Action {
	return h.step(Event{Kind: EvRequestArrived, Service: d.ID, Request: id, Description: d})
}

func (h *harness) finish(id RequestID, o Outcome) []Action {
	return h.step(Event{Kind: EvRequestFinished, Request: id, Outcome: o})
}

func (h *harness) observe(d *Description, requested int, insts ...ObservedInstance) []Action {
	return h.step(Event{Kind: EvServiceObserved, Service: d.ID, Observation: &Observation{
		Exists: true, Requested: requested, Scheduled: len(insts), Instances: insts}})
}

func healthyAt(id string, started time.Time) ObservedInstance {
	return ObservedInstance{ID: id, Host: "h-" + id, StartedAt: started, Healthy: true}
}

// fataler is what mustDesc needs of testing.TB and *rapid.T alike.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

func mustDesc(t fataler, extra Params) *Description {
	t.Helper()
	c := validCore()
	for k, v := range extra {
		c[k] = v
	}
	d, err := NewDescription(c, DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func only(acts []Action, kind ActionKind) []Action {
	var out []Action
	for _, a := range acts {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

func describe(acts []Action) string {
	s := ""
	for _, a := range acts {
		s += fmt.Sprintf("%s(req=%d inst=%s n=%d) ", a.Kind, a.Request, a.Instance, a.Instances)
	}
	return s
}
