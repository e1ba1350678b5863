package router

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// panicking is a fake scheduler that announces changes (Subscribe) and
// whose first call of each of create, observe and observe-service
// panics, as an adapter's bug would.
type panicking struct {
	*fakesched.Scheduler
	changes chan string

	mu    sync.Mutex
	fired map[string]bool
}

func (p *panicking) once(op string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.fired[op] {
		p.fired[op] = true
		panic("adapter bug in " + op)
	}
}

func (p *panicking) Subscribe() <-chan string { return p.changes }

func (p *panicking) CreateService(ctx context.Context, d *engine.Description, n int) error {
	p.once("create")
	return p.Scheduler.CreateService(ctx, d, n)
}

func (p *panicking) Observe(ctx context.Context) (map[string]engine.Observation, error) {
	p.once("observe")
	return p.Scheduler.Observe(ctx)
}

func (p *panicking) ObserveService(ctx context.Context, id string) (engine.Observation, error) {
	p.once("observe-service")
	return p.Scheduler.ObserveService(ctx, id)
}

// A scheduler call that panics is a failed call, not the router's end:
// the request that waits for the service is served once the syncer tries
// again, and each panic is counted (Config.Panicked) and as a failed call.
// Without guardedCall's recover the test binary dies.
func TestSchedulerCallPanicIsAFailedCall(t *testing.T) {
	sched := &panicking{Scheduler: fakesched.New(func(*engine.Description) http.Handler { return fakesched.Backend() }),
		changes: make(chan string, 64), fired: map[string]bool{}}
	var panics atomic.Int32
	h := newHarnessWith(t, func(*fakesched.Scheduler) engine.Scheduler { return sched }, func(c *Config) {
		c.Panicked = func() { panics.Add(1) }
	})
	t.Cleanup(func() { _ = sched.Shutdown(context.Background()) })
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(h.d)

	d := desc(t, nil)
	granted := make(chan error, 1)
	go func() {
		g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d, QueueTimeout: time.Hour})
		if err == nil {
			h.d.Release(g, engine.OutcomeSuccess)
		}
		granted <- err
	}()
	var admitErr error
	h.advanceUntil(t, "the waiting request served", 20*time.Millisecond, func() bool {
		select {
		case sched.changes <- d.ID: // as the scheduler would, once it runs something
		default:
		}
		select {
		case admitErr = <-granted:
			return true
		default:
			return false
		}
	})
	if admitErr != nil {
		t.Fatalf("Admit: %v", admitErr)
	}
	h.d.do(func() {}) // the release has been handled
	for _, op := range []string{"create", "observe", "observe-service"} {
		sched.mu.Lock()
		fired := sched.fired[op]
		sched.mu.Unlock()
		if !fired {
			t.Errorf("no %s was made, so none panicked", op)
			continue
		}
		if n := counterValue(t, reg, "waiter_scheduler_calls_total", map[string]string{"op": op, "result": "error"}); n != 1 {
			t.Errorf("failed %s calls %v, want the one that panicked", op, n)
		}
	}
	if n := panics.Load(); n != 3 {
		t.Errorf("panics counted %d, want 3", n)
	}
	if snap := h.service(t, d.ID); snap.InFlight != 0 || snap.Healthy() != 1 {
		t.Errorf("service after the panics: %+v", snap)
	}
}
