package waiterhttp

import (
	"net/http"
	"strings"
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// In a cluster another router suspends a service in the shared store:
// this router keeps what it read until the store says the record
// changed (ServiceChanged), then reads it again and tells its engine; a
// read that raced with the change does not cache the old value.
func TestServiceChangedByAnotherRouter(t *testing.T) {
	e := newTestEdge(t)
	d := describe(t)
	e.running(t, d)
	e.router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{}, &engine.Error{Code: engine.CodeUnavailable, Message: "admitted"}
	}
	// Read (and remembered) as not suspended.
	rec := e.do(t, req{path: "/x", headers: kitchenHeaders()})
	if strings.Contains(rec.Body.String(), engine.MsgSuspended) {
		t.Fatalf("suspended before: %s", rec.Body.String())
	}
	// Another router writes the shared store directly.
	if err := e.store.SetSuspended(d.ID, true, "bob", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if rec := e.do(t, req{path: "/x", headers: kitchenHeaders()}); strings.Contains(rec.Body.String(), engine.MsgSuspended) {
		t.Fatal("the change reached the edge without being told: the test proves nothing")
	}
	e.srv.ServiceChanged(d.ID)
	rec = e.do(t, req{path: "/x", headers: kitchenHeaders()})
	wantStatus(t, rec, http.StatusServiceUnavailable)
	if !strings.Contains(rec.Body.String(), engine.MsgSuspended) {
		t.Errorf("after ServiceChanged: %s", rec.Body.String())
	}
	if !e.router.suspended[d.ID] {
		t.Error("the router's engine was not told of the suspension")
	}
	// Overrides another router set reach the engine too, once.
	if err := e.store.PutOverride(d.ID, map[string]any{"min-instances": 3}, "bob", e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.srv.ServiceChanged(d.ID)
	if n := len(e.router.overrides); n != 1 || e.router.overrides[0].MinInstances != 3 {
		t.Fatalf("overrides applied: %d, want one with min-instances 3", n)
	}

	// A read that began before a change does not cache what it read.
	c := newServiceCache(e.store, 10)
	get := func(id string) (waiter.Change, error) {
		ch, err := e.store.GetSuspended(id)
		c.stale(id) // the change lands while the read is on its way
		return ch, err
	}
	if _, err := c.load(d.ID, func(r *svcRecord) **waiter.Change { return &r.suspension }, get); err != nil {
		t.Fatal(err)
	}
	if c.rec(d.ID).suspension != nil {
		t.Error("a read that raced with a change was cached")
	}
}
