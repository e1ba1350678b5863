package router

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// Requests for services the engine refuses to create (a per-user limit)
// leave nothing behind in the driver, however many distinct ones come.
func TestRefusedServicesLeaveNoRecord(t *testing.T) {
	h := newHarnessWith(t, nil, func(c *Config) { c.Engine.MaxServicesPerUser = 1 })
	first := desc(t, engine.Params{"version": "kept"})
	g, err := h.d.Admit(context.Background(), waiter.Admission{Description: first})
	if err != nil {
		t.Fatal(err)
	}
	h.d.Release(g, engine.OutcomeSuccess)
	for i := range 200 {
		d := desc(t, engine.Params{"version": fmt.Sprint("refused-", i)})
		_, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
		var ee *engine.Error
		if !errors.As(err, &ee) || ee.Code != engine.CodeTooMany {
			t.Fatalf("request %d: %v, want the per-user limit", i, err)
		}
		h.d.Start(d)
	}
	var records int
	h.d.do(func() { records = h.d.sync.Tracked() + len(h.d.services) + len(h.d.reqs) })
	if records != 2 { // the syncer's record and the driver's of the service it runs
		t.Errorf("the driver keeps %d records, want the one service it runs", records)
	}
	if n := len(h.d.Services()); n != 1 {
		t.Errorf("%d services listed", n)
	}
}

// CheckCreate answers what the engine would for a new service without
// changing anything; a deleted service is forgotten after the scheduler
// deleted it, and so is a new service the engine refused.
func TestCheckCreateAndForget(t *testing.T) {
	forgotten := make(chan *engine.Description, 4)
	var sched *fakesched.Scheduler
	h := newHarnessWith(t, func(s *fakesched.Scheduler) engine.Scheduler { sched = s; return s }, func(c *Config) {
		c.Engine.MaxServicesPerUser = 1
		c.Forget = func(d *engine.Description) { forgotten <- d }
	})
	d := desc(t, engine.Params{"version": "v1"})
	if err := h.d.CheckCreate(d); err != nil {
		t.Fatalf("CheckCreate of alice's first service: %v", err)
	}
	g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatal(err)
	}
	h.d.Release(g, engine.OutcomeSuccess)
	if err := h.d.CheckCreate(d); err != nil {
		t.Errorf("CheckCreate of a service the engine has: %v", err)
	}
	second := desc(t, engine.Params{"version": "v2"})
	var ee *engine.Error
	if err := h.d.CheckCreate(second); !errors.As(err, &ee) || ee.Reason != engine.ReasonUserServiceLimit {
		t.Errorf("CheckCreate of a service past the limit: %v", err)
	}
	if n := len(h.d.Services()); n != 1 {
		t.Errorf("CheckCreate changed the services: %d", n)
	}

	wait := func(what string) *engine.Description {
		t.Helper()
		select {
		case fd := <-forgotten:
			return fd
		case <-time.After(10 * time.Second):
			t.Fatalf("%s was never forgotten", what)
			return nil
		}
	}
	// Past the check (another request took the slot), the engine refuses.
	if _, err := h.d.Admit(context.Background(), waiter.Admission{Description: second}); !errors.As(err, &ee) {
		t.Fatalf("second service admitted: %v", err)
	}
	if fd := wait("the refused service"); fd.ID != second.ID {
		t.Errorf("forgot %s, want the refused %s", fd.ID, second.ID)
	}
	if !h.d.DeleteService(d.ID) {
		t.Fatal("delete refused")
	}
	fd := wait("the deleted service")
	if fd.ID != d.ID || fd.RunAsUser != "alice" {
		t.Errorf("forgot %+v", fd)
	}
	if len(sched.Services()) != 0 {
		t.Error("forgotten before the scheduler deleted it")
	}
}
