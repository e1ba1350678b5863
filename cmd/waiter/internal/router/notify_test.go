package router

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// announcing is a fake scheduler that announces changes, like
// adapters/shell, and whose full Observe always fails: the driver can
// only learn of instances through notifications.
type announcing struct {
	*fakesched.Scheduler
	changes chan string
}

func (a announcing) Subscribe() <-chan string { return a.changes }

func (a announcing) Observe(context.Context) (map[string]engine.Observation, error) {
	return nil, errors.New("polling is off in this test")
}

// With a scheduler that announces changes, a cold start is served on the
// notification, with no poll at all.
func TestNotificationsServeColdStart(t *testing.T) {
	sched := announcing{fakesched.New(func(*engine.Description) http.Handler { return fakesched.Backend() }), make(chan string, 8)}
	created := make(chan struct{}, 1)
	sched.Notify = func(op, _ string) {
		if op == "create" {
			created <- struct{}{}
		}
	}
	defer func() { _ = sched.Shutdown(context.Background()) }()
	drv := New(Config{}, sched, clock.NewMock())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- drv.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	d := desc(t, nil)
	granted := make(chan error, 1)
	go func() {
		g, err := drv.Admit(context.Background(), waiter.Admission{Description: d})
		if err == nil {
			drv.Release(g, engine.OutcomeSuccess)
		}
		granted <- err
	}()
	<-created
	sched.changes <- d.ID
	if err := <-granted; err != nil {
		t.Fatalf("Admit: %v", err)
	}
}
