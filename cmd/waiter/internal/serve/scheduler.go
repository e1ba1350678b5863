package serve

import (
	"context"
	"fmt"
	"log/slog"

	"path/filepath"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/marathon"
	"github.com/waiter-go/waiter/adapters/shell"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/warmconn"
	"github.com/waiter-go/waiter/internal/workdir"
)

// Shutdowner is implemented by schedulers that own processes or
// connections: Run calls Shutdown after the driver stopped, so that every
// instance it started is stopped before `waiter serve` exits.
type Shutdowner interface {
	Shutdown(ctx context.Context) error
}

// newScheduler builds the scheduler the configuration names. The shell
// scheduler gives warm the connections of the probes that find its
// instances ready, for the proxy.
func newScheduler(cfg config.Config, pw passwords, warm *warmconn.Pool, log *slog.Logger) (engine.Scheduler, error) {
	switch cfg.Scheduler {
	case "shell":
		sc := shell.Config{
			WorkDir:                     shellWorkDir(cfg),
			Cluster:                     cfg.RouterID,
			Password:                    pw.password, // must match the HTTP edge's BackendAuth
			Adopt:                       cfg.Shell.Adopt,
			HealthCheckInterval:         cfg.Shell.HealthCheckInterval,
			FailedInstanceRetryInterval: cfg.Shell.FailedInstanceRetryInterval,
			WarmConns:                   warm,
			Logger:                      log.With("component", "shell"),
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

// instanceFiles reads the shell scheduler's instance folders for
// /apps/{id}/logs; Marathon's live on its agents (nil: not offered).
func instanceFiles(cfg config.Config) waiter.InstanceFiles {
	if cfg.Scheduler != "shell" {
		return nil
	}
	return workdir.Folders{Base: shellWorkDir(cfg)}
}

// shellWorkDir is the shell scheduler's folder: shell.work-dir, else
// <data-dir>/scheduler.
func shellWorkDir(cfg config.Config) string {
	if cfg.Shell.WorkDir != "" {
		return cfg.Shell.WorkDir
	}
	return filepath.Join(cfg.DataDir, "scheduler")
}
