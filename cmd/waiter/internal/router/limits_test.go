package router

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// Requests for services the engine refuses to create (a per-user limit)
// leave nothing behind in the driver, however many distinct ones come.
func TestRefusedServicesLeaveNoRecord(t *testing.T) {
	h := newHarnessWith(t, nil, func(c *Config) { c.Engine.MaxServicesPerUser = 1 })
	first := desc(t, engine.Params{"version": "kept"})
	g, err := h.d.Admit(context.Background(), waiterhttp.Admission{Description: first})
	if err != nil {
		t.Fatal(err)
	}
	h.d.Release(g, engine.OutcomeSuccess)
	for i := range 200 {
		d := desc(t, engine.Params{"version": fmt.Sprint("refused-", i)})
		_, err := h.d.Admit(context.Background(), waiterhttp.Admission{Description: d})
		var ee *engine.Error
		if !errors.As(err, &ee) || ee.Code != engine.CodeTooMany {
			t.Fatalf("request %d: %v, want the per-user limit", i, err)
		}
		h.d.Start(d)
	}
	var records int
	h.d.call(func() { records = len(h.d.services) + len(h.d.reqs) + len(h.d.waiters) })
	if records != 1 {
		t.Errorf("the driver keeps %d records, want the one service it runs", records)
	}
	if n := len(h.d.Services()); n != 1 {
		t.Errorf("%d services listed", n)
	}
}

// A description is persisted right before the scheduler creates its
// service, never for a service that is not created; a failed persist
// fails the create, which is retried; a deleted service is forgotten
// after the scheduler deleted it.
func TestPersistAndForgetHooks(t *testing.T) {
	var mu sync.Mutex
	var events []string
	failFirst := true
	forgotten := make(chan *engine.Description, 1)
	var sched *fakesched.Scheduler
	h := newHarnessWith(t, func(s *fakesched.Scheduler) engine.Scheduler { sched = s; return s }, func(c *Config) {
		c.Engine.CreateRetryInterval = 10 * time.Millisecond
		c.Engine.MaxServicesPerUser = 1
		c.Persist = func(d *engine.Description) error {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, fmt.Sprintf("persist %s running=%d", d.Version, len(sched.Services())))
			if failFirst {
				failFirst = false
				return errors.New("disk full")
			}
			return nil
		}
		c.Forget = func(d *engine.Description) { forgotten <- d }
	})
	d := desc(t, engine.Params{"version": "v1"})
	g, err := h.d.Admit(context.Background(), waiterhttp.Admission{Description: d, QueueTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h.d.Release(g, engine.OutcomeSuccess)
	refused := desc(t, engine.Params{"version": "refused"})
	if _, err := h.d.Admit(context.Background(), waiterhttp.Admission{Description: refused}); err == nil {
		t.Fatal("a second service past the per-user limit was admitted")
	}
	mu.Lock()
	got := fmt.Sprint(events)
	mu.Unlock()
	if got != "[persist v1 running=0 persist v1 running=0]" {
		t.Errorf("persist calls %s: want two for v1 (the failed one retried), before the scheduler ran it, none for the refused one", got)
	}
	if !h.d.DeleteService(d.ID) {
		t.Fatal("delete refused")
	}
	select {
	case fd := <-forgotten:
		if fd.ID != d.ID || fd.RunAsUser != "alice" {
			t.Errorf("forgot %+v", fd)
		}
		if len(sched.Services()) != 0 {
			t.Error("forgotten before the scheduler deleted it")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the deleted service was never forgotten")
	}
}
