package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/engine"
)

// Shutdowner is implemented by schedulers that own processes or
// connections: Run calls Shutdown after the driver stopped, so that every
// instance it started is stopped before `waiter serve` exits.
type Shutdowner interface {
	Shutdown(ctx context.Context) error
}

// newScheduler builds the scheduler the configuration names.
func newScheduler(cfg config.Config, pw passwords, log *slog.Logger) (engine.Scheduler, error) {
	switch cfg.Scheduler {
	case "shell":
		// TODO(lead): wire adapters/shell here:
		//
		//	return shell.New(shell.Config{
		//		WorkDir:  filepath.Join(cfg.DataDir, "scheduler"),
		//		Cluster:  cfg.RouterID,
		//		Password: pw.password, // must match the HTTP edge's BackendAuth
		//		Logger:   log.With("component", "shell"),
		//	})
		//
		// *shell.Scheduler implements engine.Scheduler, Shutdowner (Run
		// stops every child process with it on SIGTERM) and the driver's
		// optional Subscribe/ObserveService (instant cold starts). Until
		// then the router runs, serves its API and tokens, and the create
		// of every service fails with a clear error in the log.
		_ = pw
		log.Warn("the shell scheduler is not wired into this build yet: services cannot start")
		return unwired{name: "shell"}, nil
	case "marathon":
		return nil, fmt.Errorf("scheduler marathon (%s): %w", cfg.MarathonURL, errNotAvailable)
	}
	return nil, fmt.Errorf("unknown scheduler %q", cfg.Scheduler)
}

var errNotAvailable = errors.New("not available in this build yet")

// unwired stands in for a scheduler that is not built in: it runs nothing
// and refuses to create services, so requests fail visibly (the engine
// keeps retrying the create) instead of the binary refusing to start.
type unwired struct{ name string }

func (u unwired) CreateService(context.Context, *engine.Description, int) error {
	return fmt.Errorf("%s scheduler: %w", u.name, errNotAvailable)
}
func (u unwired) ScaleService(context.Context, string, int, bool) error {
	return fmt.Errorf("%s scheduler: %w", u.name, errNotAvailable)
}
func (u unwired) KillInstance(context.Context, string, string) error {
	return fmt.Errorf("%s scheduler: %w", u.name, errNotAvailable)
}
func (u unwired) DeleteService(context.Context, string) error { return nil }
func (u unwired) Observe(context.Context) (map[string]engine.Observation, error) {
	return map[string]engine.Observation{}, nil
}
