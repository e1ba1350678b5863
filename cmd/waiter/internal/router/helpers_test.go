package router

import (
	"context"
	"runtime"
	"testing"
	"time"

	"net/http"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// harness runs a driver over a fake scheduler on a mock clock: time moves
// only when a test advances it (the engine's wake-ups, scaling passes,
// queue timeouts, slow polls and the lag probe), so no test races the
// wall clock; tests wait on scheduler notifications and blocking calls.
type harness struct {
	d     *Driver
	clk   *clock.Mock
	sched *fakesched.Scheduler
	ops   chan string // "op service-id" per scheduler call
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, nil, nil)
}

// newHarnessWith lets a test wrap the fake scheduler (wrap may be nil) and
// adjust the driver's configuration (configure may be nil).
func newHarnessWith(t testing.TB, wrap func(*fakesched.Scheduler) engine.Scheduler, configure func(*Config)) *harness {
	t.Helper()
	h := &harness{sched: fakesched.New(func(*engine.Description) http.Handler { return fakesched.Backend() }),
		ops: make(chan string, 256)}
	h.sched.Notify = func(op, id string) {
		select {
		case h.ops <- op + " " + id:
		default:
		}
	}
	var sched engine.Scheduler = h.sched
	if wrap != nil {
		sched = wrap(h.sched)
	}
	cfg := Config{PollInterval: time.Hour, FastPollInterval: 20 * time.Millisecond}
	if configure != nil {
		configure(&cfg)
	}
	h.clk = clock.NewMock()
	h.d = New(cfg, sched, h.clk)
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

// waitOps waits for every one of the scheduler calls "op id", in any
// order.
func (h *harness) waitOps(t *testing.T, want ...string) {
	t.Helper()
	missing := map[string]bool{}
	for _, w := range want {
		missing[w] = true
	}
	timeout := time.After(10 * time.Second)
	for len(missing) > 0 {
		select {
		case got := <-h.ops:
			delete(missing, got)
		case <-timeout:
			t.Fatalf("no scheduler calls %v", missing)
		}
	}
}

func desc(t testing.TB, extra engine.Params) *engine.Description {
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

// observe makes the driver poll the scheduler now and returns once the
// engine has the result: the poll's closure is queued before the call
// that follows it.
func (h *harness) observe(t *testing.T) {
	t.Helper()
	h.d.pollOnce(context.Background())
	h.d.do(func() {})
}

// service returns the driver's snapshot of a service it must know.
func (h *harness) service(t *testing.T, id string) waiter.ServiceSnapshot {
	t.Helper()
	snap, ok := h.d.Service(id)
	if !ok {
		t.Fatalf("service %s unknown to the driver", id)
	}
	return snap
}

// advanceUntil moves the mock clock by step until cond holds: what cond
// waits for is done by the driver's goroutines once a timer fires, so
// each step yields to them. It fails after 1,000 steps.
func (h *harness) advanceUntil(t *testing.T, what string, step time.Duration, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		h.clk.Add(step)
		runtime.Gosched()
	}
	if !cond() {
		t.Fatalf("%s: not after 1,000 steps of %v", what, step)
	}
}
