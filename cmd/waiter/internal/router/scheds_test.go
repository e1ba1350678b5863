package router

import (
	"context"

	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
)

// failing is a fake scheduler that reports, for the services in ids, two
// failed instances with the same exit code on two hosts: what the engine
// calls a deployment error ("Invalid startup command").
type failing struct {
	*fakesched.Scheduler
	ids map[string]bool // read-only once the driver runs
}

func (f failing) Observe(ctx context.Context) (map[string]engine.Observation, error) {
	all, err := f.Scheduler.Observe(ctx)
	for id, o := range all {
		if f.ids[id] {
			for _, host := range []string{"10.0.0.1", "10.0.0.2"} {
				o.Failed = append(o.Failed, engine.ObservedInstance{ID: id + ".failed-on-" + host, Host: host,
					ExitCode: 127, HasExitCode: true, Message: "command not found"})
			}
			all[id] = o
		}
	}
	return all, err
}

// gatedKill is a fake scheduler whose kills announce themselves on entered
// and then wait for gate to close, so a test can look at the router while
// a kill is in flight.
type gatedKill struct {
	*fakesched.Scheduler
	entered chan string
	gate    chan struct{}
}

func (g gatedKill) KillInstance(ctx context.Context, id, instanceID string, opts engine.KillOptions) error {
	g.entered <- instanceID
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.Scheduler.KillInstance(ctx, id, instanceID, opts)
}
