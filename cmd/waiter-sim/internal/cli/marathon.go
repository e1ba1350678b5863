package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/waiter-go/waiter/internal/clikit"
	"github.com/waiter-go/waiter/internal/fakemarathon"
	"github.com/waiter-go/waiter/internal/fakemarathon/procs"
	"github.com/waiter-go/waiter/internal/stopsig"
)

// marathonContext ends `waiter-sim marathon`; tests replace it.
var marathonContext = func() (context.Context, context.CancelFunc) {
	return stopsig.Context()
}

// marathonReady is told the base URL once the server listens (tests).
var marathonReady = func(string) {}

// marathonCmd serves the simulated Marathon over HTTP until interrupted:
// `waiter-sim marathon --listen ADDR [flags]`. Its tasks are real
// processes on this machine unless --simulated.
type marathonCmd struct {
	Listen             string        `default:"127.0.0.1:8080" help:"Address to serve Marathon's REST API on."`
	Simulated          bool          `help:"Simulate tasks instead of running them as processes."`
	WorkDir            string        `placeholder:"DIR" predictor:"dir" help:"Folder for the tasks' sandboxes (default: a temporary one, removed on exit)."`
	PortRange          string        `default:"${port_range}" help:"Ports handed to tasks."`
	Agents             int           `default:"1" help:"Mesos agents (hosts 127.0.0.1, 127.0.0.2, ...)."`
	LaunchLatency      time.Duration `default:"${launch_latency}" help:"Staging-to-running delay of a task."`
	FirstHealthCheck   time.Duration `default:"5s" help:"Delay of a task's first health check."`
	StartCheckInterval time.Duration `default:"0s" help:"Re-check tasks not yet healthy this often (0: every health-check interval, as Marathon)."`
	Seed               uint64        `default:"1" help:"Seed of simulated start-up times."`
	Verbose            bool          `short:"v" help:"Log task launches, exits and kills (same as --log-level info)."`
	clikit.LogFlags    `embed:""`
}

// Help is marathon's detailed help.
func (marathonCmd) Help() string {
	return `Serves the subset of Marathon 1.4's REST API that go-marathon uses, until
interrupted; then stops every task. Tasks run as local processes with $PORT0..
and $HOST set (--simulated: in the model instead). With --agents above 1 a
task's host is 127.0.0.N, so start services that bind $HOST (kitchen --host
$HOST). Faults are injected with POST /_sim/faults.

Examples:

    waiter-sim marathon --listen 127.0.0.1:8080
    waiter serve --scheduler marathon --marathon-url http://127.0.0.1:8080
    waiter-sim marathon --simulated --agents 3 --launch-latency 2s -v`
}

// Run runs the command.
func (c *marathonCmd) Run(e *env) error {
	lo, hi, ok := parseRange(c.PortRange)
	if !ok {
		return usagef("--port-range %q: want LO-HI, e.g. 31000-32000", c.PortRange)
	}
	if c.Agents < 1 {
		return usagef("--agents must be at least 1")
	}
	if c.Verbose && c.Level() > slog.LevelInfo {
		c.LogLevel = "info"
	}
	log := c.Logger(e.stderr)
	srv, err := fakemarathon.New(fakemarathon.Config{
		Simulated: c.Simulated, Agents: c.Agents, LaunchLatency: c.LaunchLatency,
		FirstHealthCheck: c.FirstHealthCheck, StartCheckInterval: c.StartCheckInterval, Seed: c.Seed, Logger: log,
		Procs: procs.Config{WorkDir: c.WorkDir, PortRange: [2]int{lo, hi}, Logger: log},
	})
	if err != nil {
		return err
	}
	url, err := srv.Start(c.Listen)
	if err != nil {
		_ = srv.Close(context.Background())
		return err
	}
	mode := "tasks run as local processes"
	if c.Simulated {
		mode = "tasks are simulated"
	}
	fmt.Fprintf(e.stdout, "simulated Marathon listening on %s (%s); interrupt to stop\n", url, mode)
	marathonReady(url)
	ctx, cancel := marathonContext()
	defer cancel()
	<-ctx.Done()
	fmt.Fprintln(e.stdout, "stopping: every task is being stopped")
	stop, cancelStop := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelStop()
	return srv.Close(stop)
}

// parseRange reads "LO-HI".
func parseRange(s string) (int, int, bool) {
	a, b, ok := strings.Cut(s, "-")
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	return lo, hi, ok && err1 == nil && err2 == nil && lo >= 1 && lo <= hi && hi <= 65535
}
