// Package marathon is the Marathon scheduler of `waiter serve --scheduler
// marathon`: it implements engine.Scheduler on Marathon's REST API through
// github.com/gambol99/go-marathon v0.7.1, as Waiter's Marathon scheduler
// does (waiter/src/waiter/scheduler/marathon.clj, reference section 8).
//
// It owns:
//
//   - the app definition (descriptor.go, env.go): app id = service id;
//     cmd (or args = Config.ContainerInitCommands + cmd), cpus, mem, one
//     port per service port, Waiter's environment (reference 2.4), user,
//     one HTTP(S) health check from the service's health-check parameters
//     (path, port index, interval, max consecutive failures, grace
//     period or 2 x instance expiry when it is 0, timeout 20 s),
//     backoffFactor from restart-backoff-factor, labels source=waiter,
//     user and namespace, taskKillGracePeriodSeconds from
//     termination-grace-period-secs.
//   - the scheduler calls (api.go): create (a duplicate id means it
//     exists: not an error), scale (always PUT ?force=true, as Waiter's
//     update-app; with the engine's force, engine.ForcedScaleCount of
//     the target and the tasks, so Marathon kills nothing it chose), kill
//     one task with scale=true, or scale=false to have it replaced, and
//     force=true as engine.KillOptions say (engine/syncer decides both),
//     delete (an unknown app is deleted).
//   - observation (observe.go, failures.go, probe.go): GET
//     /v2/apps?embed=apps.lastTaskFailure&embed=apps.tasks, the apps whose
//     id starts with Config.ServicePrefix, one Observation each: requested
//     = instances, scheduled = count(tasks), running tasks as instances,
//     healthy when every healthCheckResult is alive with no consecutive
//     failures. Like Waiter's scheduler syncer it health-checks running
//     instances Marathon does not call healthy yet itself (a 2xx makes
//     them healthy at once, and the connect/respond/timeout/TLS facts feed
//     deployment errors). Failures come from lastTaskFailure (exit code
//     from "Command exited with status N", memory limit, never passed
//     health checks), kept per service, at most 10, newest last, so that
//     deployment errors reach the client.
//   - drift (sync.go): an app without deployments whose instance count
//     differs from its task count for Config.SyncTimeout (60 s, Waiter's
//     sync-deployment maintainer) is scaled to its task count.
//   - transport (transport.go): requests that failed to connect or got
//     502, 503 or 504 are retried (Config.Retries, from
//     Config.RetryDelay growing 1.5x), within Config.HTTPTimeout.
//
// # Errors
//
// Every error is wrapped with %w and names the call; the sentinels say
// what happened: ErrUnavailable (Marathon down or answering 5xx: the
// driver retries later), ErrConflict (a deployment locks the app),
// ErrServiceNotFound, ErrInstanceNotFound, ErrInvalidService, ErrClosed.
// After a 5xx, go-marathon marks its host down and polls /ping every 5
// s, so calls fail fast with ErrUnavailable until Marathon answers again.
// Nothing panics.
//
// # Concurrency and shutdown
//
// The Scheduler is safe for concurrent use. go-marathon takes no
// context, so each call runs on a goroutine and returns when its context
// ends (the request itself ends within HTTPTimeout). Shutdown waits for
// calls in flight; it stops nothing on Marathon: apps outlive the router,
// as in Waiter.
//
// # Wiring
//
// In cmd/waiter/internal/serve's newScheduler:
//
//	case "marathon":
//		s, err := marathon.New(marathon.Config{
//			URL:           cfg.MarathonURL,
//			Cluster:       cfg.RouterID,
//			Password:      pw.password, // must match the HTTP edge's BackendAuth
//			ServicePrefix: cfg.ServicePrefix,
//			RunAsUser:     cfg.RunAsUser,
//			Logger:        log.With("component", "marathon"),
//		})
//		if err != nil {
//			return nil, fmt.Errorf("marathon scheduler: %w", err)
//		}
//		return s, nil
//
// *Scheduler has Shutdown(ctx), so Run's stopScheduler releases it (apps
// keep running). Against the simulated Marathon (`waiter-sim marathon`,
// one agent) every task runs on 127.0.0.1, so, as for the shell
// scheduler, the engine's DeploymentErrorMinHosts must be 1 for
// deployment errors to show.
package marathon
