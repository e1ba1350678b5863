package router

import (
	"context"
	"testing"
	"time"

	"net/http"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// harness runs a driver over a fake scheduler with the real clock; tests
// wait on scheduler notifications and on blocking calls, never on sleeps.
type harness struct {
	d     *Driver
	sched *fakesched.Scheduler
	ops   chan string // "op service-id" per scheduler call
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{sched: fakesched.New(func(*engine.Description) http.Handler { return fakesched.Backend() }),
		ops: make(chan string, 256)}
	h.sched.Notify = func(op, id string) {
		select {
		case h.ops <- op + " " + id:
		default:
		}
	}
	h.d = New(Config{PollInterval: time.Hour, FastPollInterval: 20 * time.Millisecond}, h.sched, clock.New())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		_ = h.sched.Shutdown(context.Background())
	})
	return h
}

// waitOp waits for the scheduler call "op id".
func (h *harness) waitOp(t *testing.T, op, id string) {
	t.Helper()
	want := op + " " + id
	timeout := time.After(10 * time.Second)
	for {
		select {
		case got := <-h.ops:
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("no scheduler call %q", want)
		}
	}
}

func desc(t *testing.T, extra engine.Params) *engine.Description {
	t.Helper()
	core := engine.Params{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1", "run-as-user": "alice"}
	for k, v := range extra {
		core[k] = v
	}
	d, err := engine.NewDescription(core, engine.DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}
