package marathon

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/childproc"
	"github.com/waiter-go/waiter/internal/e2ekit"
)

// routerConfig is the YAML of every test router: Waiter's intervals
// shortened so that tests wait milliseconds where Waiter waits seconds.
// Every simulated task runs on 127.0.0.1, one host, so a deployment error
// needs failures on only one (Waiter's default asks for two).
const routerConfig = `deployment-error-min-hosts: 1
poll-interval: 250ms
fast-poll-interval: 100ms
scaling-interval: 250ms
drain-timeout: 5s
`

// Lines the two programs write once they accept requests; both listen
// on a port the kernel chooses (":0"), which these lines reveal.
var (
	simListening    = regexp.MustCompile(`simulated Marathon listening on (http://\S+)`)
	waiterListening = regexp.MustCompile(`msg="waiter serve: listening" addr=(\S+)`)
)

// startTimeout bounds how long either program may take to listen.
const startTimeout = 20 * time.Second

// stopTimeout bounds how long either program may take to exit after
// SIGTERM: the router drains (drain-timeout 5 s), the simulator stops
// every task (SIGKILL 3 s after SIGTERM at worst).
const stopTimeout = 15 * time.Second

// clusterSeq numbers clusters, for their names and task port ranges.
var clusterSeq atomic.Int64

// taskPorts returns the task port range of cluster n: 40 ports of
// 18000-19199, a different range for each of 30 clusters in a row, so
// that parallel simulators never hand out the same port. The range is
// below Linux's ephemeral ports (32768-60999) and apart from those other
// packages' tests use (shell 20000-31199, test/acceptance 31200-32099,
// the simulator's own 34000-37999).
func taskPorts(n int64) string {
	lo := 18000 + int(n%30)*40
	return fmt.Sprintf("%d-%d", lo, lo+39)
}

// cluster is one simulated Marathon and one `waiter serve` using it.
type cluster struct {
	e2ekit.Router        // T, the HTTP client and WaiterURL
	name          string // also the router id
	tasksDir      string // the simulator's task sandboxes
	sim           *childproc.Process
	waiter        *childproc.Process
	simURL        string // http://127.0.0.1:port
}

// startCluster starts a simulator and a router for t, both stopped (and
// checked) by t's clean-up.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	c := startSim(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "waiter.yaml")
	if err := os.WriteFile(cfg, []byte(routerConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	var err error
	c.waiter, c.WaiterURL, err = startWaiter(c.name, filepath.Join(dir, "data"), c.simURL, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// startSim starts a simulator for t, stopped (and checked) by t's
// clean-up; the cluster has no router yet.
func startSim(t *testing.T) *cluster {
	t.Helper()
	n := clusterSeq.Add(1)
	dir := t.TempDir()
	c := &cluster{Router: e2ekit.Router{T: t, HTTP: e2ekit.NewClient()}, name: fmt.Sprintf("marathon-e2e-%d", n), tasksDir: filepath.Join(dir, "tasks")}
	// Registered before anything starts, so it runs whatever fails below;
	// t.TempDir's own removal was registered first and so runs after it.
	t.Cleanup(c.cleanup)

	var err error
	c.sim, err = childproc.Start("waiter-sim marathon", bins.sim, "marathon",
		"--listen", "127.0.0.1:0",
		"--work-dir", c.tasksDir,
		"--port-range", taskPorts(n),
		// Marathon's first health check comes after 5 s and its
		// deployments end only when tasks pass it; the router's own
		// checks find kitchens healthy in milliseconds, so waiting for
		// Marathon's would only slow every scale and kill down.
		"--first-health-check", "100ms",
		"--start-check-interval", "100ms",
		"-v")
	if err != nil {
		t.Fatal(err)
	}
	if c.simURL, err = c.sim.Out.WaitFor(simListening, startTimeout, c.sim.Done()); err != nil {
		t.Fatalf("waiter-sim marathon: %v\n%s", err, c.sim.Out.Tail(30))
	}
	return c
}

// startWaiter starts `waiter serve` with router id id on Marathon simURL
// and configuration file cfg, and returns it once it listens, with its
// URL. The caller stops it.
func startWaiter(id, dataDir, simURL, cfg string, extra ...string) (*childproc.Process, string, error) {
	args := append([]string{bins.waiter, "serve",
		"--host", "127.0.0.1", "--port", "0", "--router-id", id,
		"--data-dir", dataDir,
		"--scheduler", "marathon", "--marathon-url", simURL,
		"--config", cfg}, extra...)
	p, err := childproc.Start("waiter serve "+id, args...)
	if err != nil {
		return nil, "", err
	}
	addr, err := p.Out.WaitFor(waiterListening, startTimeout, p.Done())
	if err != nil {
		p.Kill()
		return p, "", fmt.Errorf("waiter serve %s: %w\n%s", id, err, p.Out.Tail(30))
	}
	return p, "http://" + addr, nil
}

// stopWaiter stops the router with SIGTERM and returns its exit code.
//
// It first drops the client's pooled connections. net/http's Shutdown
// counts a connection on which no request has arrived yet (StateNew) as
// busy for its first 5 s, and http.Transport pools such connections when
// it dialled one for a request that another connection then served; the
// router would wait for them until its drain timeout.
func (c *cluster) stopWaiter() (int, error) {
	c.HTTP.CloseIdleConnections()
	return c.waiter.Stop(stopTimeout)
}

// stopSim stops the simulator with SIGTERM and returns its exit code.
func (c *cluster) stopSim() (int, error) { return c.sim.Stop(stopTimeout) }

// cleanup stops the router, then the simulator (the order of a real
// shutdown: the router must not see Marathon vanish under it), and
// checks what the issue asks of a shutdown: both exit 0 and no task
// process outlives the simulator. Whatever is left is killed.
func (c *cluster) cleanup() {
	t := c.T
	check := func(p *childproc.Process, stop func() (int, error)) {
		if p == nil {
			return // startCluster failed before starting it
		}
		code, err := stop()
		switch {
		case err != nil:
			t.Error(err)
		case code != 0:
			t.Errorf("%s exited %d after SIGTERM, want 0", p.Name, code)
		}
	}
	check(c.waiter, c.stopWaiter)
	check(c.sim, c.stopSim)
	if left := taskProcesses(c.tasksDir); len(left) > 0 {
		t.Errorf("task processes still alive after the simulator exited: %v", left)
		for _, p := range left {
			_ = syscall.Kill(p.PID, syscall.SIGKILL)
		}
	}
	if t.Failed() {
		for _, p := range []*childproc.Process{c.waiter, c.sim} {
			if p != nil {
				t.Logf("%s's log (last 60 lines):\n%s", p.Name, indent(p.Out.Tail(60)))
			}
		}
	}
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }
