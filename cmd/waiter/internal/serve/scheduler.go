package serve

import (
	"context"
	"fmt"
	"log/slog"

	"path/filepath"

	"github.com/waiter-go/waiter/adapters/marathon"
	"github.com/waiter-go/waiter/adapters/shell"
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
		sc := shell.Config{
			WorkDir:                     cfg.Shell.WorkDir,
			Cluster:                     cfg.RouterID,
			Password:                    pw.password, // must match the HTTP edge's BackendAuth
			Adopt:                       cfg.Shell.Adopt,
			HealthCheckInterval:         cfg.Shell.HealthCheckInterval,
			FailedInstanceRetryInterval: cfg.Shell.FailedInstanceRetryInterval,
			Logger:                      log.With("component", "shell"),
		}
		if sc.WorkDir == "" {
			sc.WorkDir = filepath.Join(cfg.DataDir, "scheduler")
		}
		if len(cfg.Shell.PortRange) == 2 {
			sc.PortRange = [2]int{cfg.Shell.PortRange[0], cfg.Shell.PortRange[1]}
		}
		s, err := shell.New(sc)
		if err != nil {
			return nil, fmt.Errorf("shell scheduler: %w", err)
		}
		return s, nil
	case "marathon":
		s, err := marathon.New(marathon.Config{URL: cfg.MarathonURL, Cluster: cfg.RouterID,
			Password: pw.password, ServicePrefix: cfg.ServicePrefix, RunAsUser: cfg.RunAsUser,
			Logger: log.With("component", "marathon")})
		if err != nil {
			return nil, fmt.Errorf("marathon scheduler: %w", err)
		}
		return s, nil
	case "kubernetes":
		return newKubernetesScheduler(cfg, pw, log)
	}
	return nil, fmt.Errorf("unknown scheduler %q", cfg.Scheduler)
}
