package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/internal/fakemarathon"
	"github.com/waiter-go/waiter/internal/fakemarathon/procs"
)

// marathonContext ends `waiter-sim marathon`; tests replace it.
var marathonContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// marathonReady is told the base URL once the server listens (tests).
var marathonReady = func(string) {}

// cmdMarathon serves the simulated Marathon over HTTP until interrupted:
// `waiter-sim marathon --listen ADDR [flags]`. Its tasks are real
// processes on this machine unless --simulated.
func cmdMarathon(e *env, args []string) error {
	fs := newFlags("marathon")
	var (
		listen     = fs.String("listen", "127.0.0.1:8080", "address to serve Marathon's REST API on")
		simulated  = fs.Bool("simulated", false, "simulate tasks instead of running them as processes")
		workDir    = fs.String("work-dir", "", "folder for the tasks' sandboxes (default: a temporary one, removed on exit)")
		portRange  = fs.String("port-range", fmt.Sprintf("%d-%d", procs.DefaultPortRangeStart, procs.DefaultPortRangeEnd), "task ports, LO-HI")
		agents     = fs.Int("agents", 1, "Mesos agents (hosts 127.0.0.1, 127.0.0.2, ...)")
		latency    = fs.Duration("launch-latency", fakemarathon.DefaultLaunchLatency, "staging-to-running delay of a task")
		firstCheck = fs.Duration("first-health-check", 5*time.Second, "delay of a task's first health check")
		startCheck = fs.Duration("start-check-interval", 0, "re-check tasks not yet healthy this often (0: every health-check interval, as Marathon)")
		seed       = fs.Uint64("seed", 1, "seed of simulated start-up times")
		verbose    = fs.Bool("v", false, "log task launches, exits and kills")
	)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usagef("marathon takes no arguments, got %q", pos)
	}
	lo, hi, ok := parseRange(*portRange)
	if !ok {
		return usagef("--port-range %q: want LO-HI, e.g. 31000-32000", *portRange)
	}
	if *agents < 1 {
		return usagef("--agents must be at least 1")
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	srv, err := fakemarathon.New(fakemarathon.Config{
		Simulated: *simulated, Agents: *agents, LaunchLatency: *latency,
		FirstHealthCheck: *firstCheck, StartCheckInterval: *startCheck, Seed: *seed, Logger: log,
		Procs: procs.Config{WorkDir: *workDir, PortRange: [2]int{lo, hi}, Logger: log},
	})
	if err != nil {
		return err
	}
	url, err := srv.Start(*listen)
	if err != nil {
		_ = srv.Close(context.Background())
		return err
	}
	mode := "tasks run as local processes"
	if *simulated {
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
