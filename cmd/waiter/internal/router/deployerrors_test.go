package router

import (
	"strconv"
	"testing"

	"github.com/waiter-go/waiter"

	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// A deployment error is recorded when the engine first computes it and
// closed when its service goes away; later observations of the same
// error add nothing.
func TestDeploymentErrorsRecorded(t *testing.T) {
	d := desc(t, engine.Params{"name": "broken"})
	h := newHarnessWith(t, func(s *fakesched.Scheduler) engine.Scheduler {
		return failing{Scheduler: s, ids: map[string]bool{d.ID: true}}
	}, nil)
	h.sched.StartUnhealthy(d.ID, true)
	h.d.Start(d)
	h.waitOp(t, "create", d.ID)
	h.observe(t)
	h.observe(t)

	errs := h.d.DeploymentErrors()
	if len(errs) != 1 {
		t.Fatalf("%d records, want 1: %+v", len(errs), errs)
	}
	e := errs[0]
	if e.ServiceID != d.ID || e.Name != "broken" || e.Message != engine.DeployBadStartupCommand || e.Since.IsZero() || !e.Until.IsZero() {
		t.Errorf("record %+v, want an open %q for %s", e, engine.DeployBadStartupCommand, d.ID)
	}
	if !h.d.DeleteService(d.ID) {
		t.Fatal("DeleteService did not know the service")
	}
	errs = h.d.DeploymentErrors()
	if len(errs) != 1 || errs[0].Until.IsZero() || errs[0].Until.Before(errs[0].Since) {
		t.Errorf("after the delete: %+v, want the record closed", errs)
	}
}

// The log keeps the newest maxDeploymentErrors records, newest first.
func TestDeploymentErrorsBounded(t *testing.T) {
	h := newHarness(t)
	h.d.call(func() {
		for i := range maxDeploymentErrors + 5 {
			h.d.openDeploymentError(waiter.DeploymentErrorRecord{ServiceID: "s", Message: strconv.Itoa(i)})
		}
	})
	errs := h.d.DeploymentErrors()
	if len(errs) != maxDeploymentErrors {
		t.Fatalf("%d records, want %d", len(errs), maxDeploymentErrors)
	}
	if first, last := errs[0].Message, errs[len(errs)-1].Message; first != strconv.Itoa(maxDeploymentErrors+4) || last != "5" {
		t.Errorf("records run from %s to %s, want the newest (%d) first and the oldest kept (5) last", first, last, maxDeploymentErrors+4)
	}
}
