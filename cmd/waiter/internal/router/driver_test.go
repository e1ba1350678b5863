package router

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

func TestColdStartDispatchAndRelease(t *testing.T) {
	h := newHarness(t)
	d := desc(t, nil)
	g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatalf("Admit: %v", err)
	}
	insts := h.sched.Instances(d.ID)
	if len(insts) != 1 || g.Instance != insts[0].ID || g.Service != d.ID {
		t.Fatalf("grant %+v, instances %v", g, insts)
	}
	if addr := insts[0].Addr(); !strings.HasSuffix(addr, ":"+strconv.Itoa(g.Port)) || g.Host != "127.0.0.1" {
		t.Errorf("grant address %s:%d, instance listens on %s", g.Host, g.Port, addr)
	}
	snap, ok := h.d.Service(d.ID)
	if !ok || snap.InFlight != 1 || snap.Waiting != 0 || snap.TotalRequests != 1 || snap.Instances[0].InFlight != 1 {
		t.Errorf("in flight: %+v", snap)
	}
	h.d.Release(g, engine.OutcomeSuccess)
	snap, _ = h.d.Service(d.ID)
	if snap.InFlight != 0 || snap.Healthy() != 1 || snap.Requested != 1 {
		t.Errorf("after release: %+v", snap)
	}
}

func TestQueueTimeoutRejects(t *testing.T) {
	h := newHarness(t)
	d := desc(t, nil)
	h.sched.StartUnhealthy(d.ID, true)
	errc := make(chan error, 1)
	go func() {
		_, err := h.d.Admit(context.Background(), waiter.Admission{Description: d, QueueTimeout: 50 * time.Millisecond})
		errc <- err
	}()
	h.waitOp(t, "create", d.ID) // the request waits
	h.clk.Add(50 * time.Millisecond)
	err := <-errc
	var ee *engine.Error
	if !errors.As(err, &ee) || ee.Reason != engine.ReasonQueueTimeout || ee.Code != engine.CodeUnavailable {
		t.Fatalf("Admit = %v, want a queue timeout", err)
	}
	if !strings.HasPrefix(ee.Message, "After 0 seconds, no instance available to handle request.") {
		t.Errorf("message %q", ee.Message)
	}
	snap, _ := h.d.Service(d.ID)
	if snap.Waiting != 0 || snap.InFlight != 0 {
		t.Errorf("counts after reject: %+v", snap)
	}
}

func TestCanceledWhileQueued(t *testing.T) {
	h := newHarness(t)
	d := desc(t, nil)
	h.sched.StartUnhealthy(d.ID, true)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := h.d.Admit(ctx, waiter.Admission{Description: d})
		errc <- err
	}()
	h.waitOp(t, "create", d.ID) // the request has arrived and is queued
	if snap, _ := h.d.Service(d.ID); snap.Waiting != 1 {
		t.Fatalf("waiting %d, want 1", snap.Waiting)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Admit = %v, want context.Canceled", err)
	}
	if snap, _ := h.d.Service(d.ID); snap.Waiting != 0 {
		t.Errorf("waiting %d after cancel, want 0", snap.Waiting)
	}
	// The queue is empty: once healthy, a new request is served at once.
	h.sched.SetHealthy(d.ID, true)
	g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatalf("Admit after healthy: %v", err)
	}
	h.d.Release(g, engine.OutcomeSuccess)
}

func TestDeleteStartSuspend(t *testing.T) {
	h := newHarness(t)
	d := desc(t, nil)
	h.d.Start(d)
	h.waitOp(t, "create", d.ID)
	snap, ok := h.d.Service(d.ID)
	if !ok || snap.TotalRequests != 0 || snap.Waiting != 0 {
		t.Fatalf("after Start: %+v", snap)
	}

	h.d.Suspend(d.ID, true)
	_, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
	var ee *engine.Error
	if !errors.As(err, &ee) || ee.Reason != engine.ReasonSuspended {
		t.Fatalf("Admit while suspended = %v", err)
	}
	h.d.Suspend(d.ID, false)

	if !h.d.DeleteService(d.ID) {
		t.Fatal("DeleteService of a known service = false")
	}
	h.waitOp(t, "delete", d.ID)
	if _, ok := h.d.Service(d.ID); ok {
		t.Error("service still known after delete")
	}
	if h.d.DeleteService(d.ID) {
		t.Error("second DeleteService = true")
	}
	if got := h.sched.Services(); len(got) != 0 {
		t.Errorf("scheduler still runs %v", got)
	}
}

func TestOverrideAndKill(t *testing.T) {
	h := newHarness(t)
	d := desc(t, nil)
	g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatal(err)
	}
	h.d.Release(g, engine.OutcomeSuccess)

	nd, err := d.WithOverrides(engine.Params{"concurrency-level": 4.0}, engine.DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	h.d.Override(nd)
	// Four requests now fit on the single instance at once.
	var grants []waiter.Grant
	for range 4 {
		g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d, QueueTimeout: time.Second})
		if err != nil {
			t.Fatalf("Admit with concurrency 4: %v", err)
		}
		grants = append(grants, g)
	}
	for _, g := range grants {
		h.d.Release(g, engine.OutcomeSuccess)
	}
	if snap, _ := h.d.Service(d.ID); snap.Description.ConcurrencyLevel != 4 {
		t.Errorf("snapshot description not overridden")
	}

	if err := h.d.KillInstance(context.Background(), d.ID, "nope"); !errors.Is(err, waiter.ErrInstanceNotFound) {
		t.Errorf("kill unknown instance = %v", err)
	}
	if err := h.d.KillInstance(context.Background(), d.ID, g.Instance); err != nil {
		t.Fatalf("kill: %v", err)
	}
	snap, _ := h.d.Service(d.ID)
	if len(snap.Killed) != 1 || snap.Killed[0].ID != g.Instance {
		t.Errorf("killed list %v", snap.Killed)
	}
}

// Ejection: an instance error takes the instance out of rotation; with a
// second instance the next request goes there.
func TestInstanceErrorEjects(t *testing.T) {
	h := newHarness(t)
	d := desc(t, engine.Params{"min-instances": 2.0})
	g1, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatal(err)
	}
	h.d.Release(g1, engine.OutcomeInstanceError)
	g2, err := h.d.Admit(context.Background(), waiter.Admission{Description: d, QueueTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer h.d.Release(g2, engine.OutcomeSuccess)
	if g2.Instance == g1.Instance {
		t.Errorf("the ejected instance %s got the next request", g1.Instance)
	}
}

func TestStoppedDriverRefuses(t *testing.T) {
	sched := fakesched.New(func(*engine.Description) http.Handler { return fakesched.Backend() })
	created := make(chan struct{}, 1)
	sched.Notify = func(op, _ string) {
		if op == "create" {
			created <- struct{}{}
		}
	}
	defer func() { _ = sched.Shutdown(context.Background()) }()
	drv := New(Config{PollInterval: time.Hour}, sched, clock.NewMock())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- drv.Run(ctx) }()

	d := desc(t, nil)
	sched.StartUnhealthy(d.ID, true)
	errc := make(chan error, 1)
	go func() {
		_, err := drv.Admit(context.Background(), waiter.Admission{Description: d})
		errc <- err
	}()
	<-created
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := <-errc; !errors.Is(err, ErrStopped) {
		t.Fatalf("waiting Admit = %v, want ErrStopped", err)
	}
	if _, err := drv.Admit(context.Background(), waiter.Admission{Description: d}); !errors.Is(err, ErrStopped) {
		t.Errorf("Admit after stop = %v", err)
	}
	if drv.DeleteService(d.ID) {
		t.Errorf("DeleteService after stop = true")
	}
}

// TestStaleObservationIsDropped: a full poll and a per-service observation
// run concurrently; the one that started earlier must not overwrite the
// newer view when it finishes later.
func TestStaleObservationIsDropped(t *testing.T) {
	h := newHarness(t)
	d := desc(t, nil)
	g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatalf("Admit: %v", err)
	}
	h.d.Release(g, engine.OutcomeSuccess)
	done := make(chan struct{})
	h.d.do(func() {
		defer close(done)
		older := h.d.sync.ObservationStarted(h.d.clk.Now())
		newer := h.d.sync.ObservationStarted(h.d.clk.Now())
		h.d.observeOne(newer, d.ID, engine.Observation{Exists: true, Requested: 1, Scheduled: 1,
			Instances: []engine.ObservedInstance{{ID: "fresh", Host: "127.0.0.1", Port: 1, Healthy: true}}})
		// An older poll that lists no instance at all arrives afterwards.
		h.d.observeOne(older, d.ID, engine.Observation{Exists: true, Requested: 1, Scheduled: 0})
		if snap, ok := h.d.eng.Service(d.ID); !ok || snap.Healthy != 1 || snap.Instances[0].ID != "fresh" {
			t.Errorf("stale observation applied: %+v", snap)
		}
	})
	<-done
}
