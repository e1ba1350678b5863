package shell

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/leakcheck"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(envRole); role != "" {
		os.Exit(runRole(role))
	}
	os.Exit(runTests(m))
}

// runTests runs the tests. As root, services also run as other users,
// who cannot enter the build's 0700 folder: they get a copy of this
// binary in a folder anyone can read, named by envBinary for every
// service and for the roles' own children.
func runTests(m *testing.M) int {
	if os.Geteuid() != 0 {
		return leakcheck.Run(m)
	}
	dir, err := os.MkdirTemp("", "shelltest-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "shell tests:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin, err := copyExecutable(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "shell tests:", err)
		return 1
	}
	_ = os.Setenv(envBinary, bin)
	return leakcheck.Run(m)
}

// copyExecutable copies this binary into dir, both readable by anyone.
func copyExecutable(dir string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(self)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "shell.test")
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	return bin, nil
}

// serviceBinary is the binary services run: the shared copy as root,
// else this one.
func serviceBinary() (string, error) {
	if bin := os.Getenv(envBinary); bin != "" {
		return bin, nil
	}
	return os.Executable()
}

// waitTimeout bounds every wait for a real process; the waits poll, so a
// passing test takes only as long as the processes need.
const waitTimeout = 20 * time.Second

var rangeSeq atomic.Int32

// testPortRange hands each scheduler its own 40 ports, so tests running in
// parallel never race for one. 20000-31199 stays below Linux's ephemeral
// range (32768-60999), where probe connections take their local ports.
func testPortRange() [2]int {
	lo := 20000 + int(rangeSeq.Add(1)%280)*40
	return [2]int{lo, lo + 39}
}

// newTestScheduler starts a scheduler on a fresh folder with fast retry
// and memory checks. Cleanup closes it and fails the test if any process
// started from its folder is still alive.
func newTestScheduler(t testing.TB, mutate func(*Config)) *Scheduler {
	t.Helper()
	cfg := Config{
		WorkDir:                     t.TempDir(),
		PortRange:                   testPortRange(),
		PortGracePeriod:             100 * time.Millisecond,
		FailedInstanceRetryInterval: 20 * time.Millisecond,
		MemoryCheckInterval:         50 * time.Millisecond,
		Cluster:                     "test-cluster",
		Password:                    func(id string) string { return id + ".password" },
		Logger:                      slog.New(slog.NewTextHandler(t.Output(), nil)),
	}
	if _, bench := t.(*testing.B); bench {
		cfg.Logger = nil // keep benchmark output to its figures
	}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if left := processesUnder(s.cfg.WorkDir); len(left) > 0 {
			t.Errorf("processes left running after Close: %v", left)
			killAll(left)
		}
	})
	return s
}

// describe is serverDescription for tests; name keeps ids apart.
func describe(t testing.TB, extra engine.Params) *engine.Description {
	t.Helper()
	if extra == nil {
		extra = engine.Params{}
	}
	if _, ok := extra["name"]; !ok {
		extra["name"] = "t" + strings.ToLower(strings.NewReplacer("/", "", "_", "").Replace(t.Name()))
	}
	d, err := serverDescription(extra)
	if err != nil {
		t.Fatalf("NewDescription: %v", err)
	}
	return d
}

func create(t testing.TB, s *Scheduler, d *engine.Description, n int) {
	t.Helper()
	if err := s.CreateService(context.Background(), d, n); err != nil {
		t.Fatalf("CreateService(%s, %d): %v", d.ID, n, err)
	}
}

func observe(t testing.TB, s *Scheduler, id string) engine.Observation {
	t.Helper()
	obs, err := s.ObserveService(context.Background(), id)
	if err != nil {
		t.Fatalf("ObserveService(%s): %v", id, err)
	}
	return obs
}

// waitObs polls id's observation until cond holds and returns it.
func waitObs(t testing.TB, s *Scheduler, id, what string, cond func(engine.Observation) bool) engine.Observation {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		obs := observe(t, s, id)
		if cond(obs) {
			return obs
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last observation: %+v", what, obs)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitUntil polls cond until it holds.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func healthyCount(obs engine.Observation) int {
	n := 0
	for _, in := range obs.Instances {
		if in.Healthy {
			n++
		}
	}
	return n
}

func healthy(n int) func(engine.Observation) bool {
	return func(obs engine.Observation) bool { return healthyCount(obs) == n && len(obs.Instances) == n }
}

func failedAtLeast(n int) func(engine.Observation) bool {
	return func(obs engine.Observation) bool { return len(obs.Failed) >= n }
}

// pgidOf finds the process group of a live or failed instance.
func pgidOf(t testing.TB, s *Scheduler, serviceID, instanceID string) int {
	t.Helper()
	pgid, ok := groupOf(s, serviceID, instanceID)
	if !ok {
		t.Fatalf("no instance %s of %s", instanceID, serviceID)
	}
	return pgid
}

// groupOf is the process group of a live or failed instance, if the
// scheduler knows it.
func groupOf(s *Scheduler, serviceID, instanceID string) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for in := range s.live {
		if in.id == instanceID {
			return in.pid, true
		}
	}
	if svc := s.services[serviceID]; svc != nil {
		for _, f := range svc.failed {
			if f.in.id == instanceID {
				return f.in.pid, true
			}
		}
	}
	return 0, false
}

// processesUnder lists live processes whose WAITER_SANDBOX lies in dir:
// every process an instance started there, forked children included.
func processesUnder(dir string) []int {
	procs, err := scanProcs()
	if err != nil {
		return nil
	}
	prefix := []byte("WAITER_SANDBOX=" + dir + "/")
	var out []int
	for _, p := range procs {
		if p.dead() {
			continue
		}
		b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/environ")
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(b, []byte{0}) {
			if bytes.HasPrefix(kv, prefix) {
				out = append(out, p.pid)
				break
			}
		}
	}
	return out
}

func killAll(pids []int) {
	for _, pid := range pids {
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Kill()
		}
	}
}

// readJSON decodes a JSON file the tests inspect.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("shell: decode %s: %w", path, err)
	}
	return nil
}
