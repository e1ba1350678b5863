package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// These tests run the command line against real routers: the `waiter
// serve` binary, built once for the package, running services as local
// processes (the kitchen binary) on 127.0.0.1.

var (
	buildOnce sync.Once
	bins      struct{ waiter, kitchen string }
	buildErr  error
	binDir    string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binaries builds waiter and kitchen into a folder removed after the
// tests.
func binaries(t *testing.T) (waiter, kitchen string) {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, buildErr = os.MkdirTemp("", "waiter-cli-test-"); buildErr != nil {
			return
		}
		// Instances may run as another user; they must reach kitchen.
		_ = os.Chmod(binDir, 0o755)
		p, err := e2ekit.Build(binDir, "waiter", "kitchen")
		if err != nil {
			buildErr = err
			return
		}
		bins.waiter, bins.kitchen = p[0], p[1]
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return bins.waiter, bins.kitchen
}

// router is a running `waiter serve`.
type router struct {
	url       string
	addr      string
	accessLog string
	cmd       *exec.Cmd
	done      chan struct{}
	waitErr   error
	mu        sync.Mutex
	log       bytes.Buffer
}

// routerConfig is fast polling and health checks, on ports of its own
// (disjoint from the other suites' ranges).
const routerConfig = `poll-interval: 100ms
fast-poll-interval: 20ms
scaling-interval: 250ms
queue-timeout: 60s
drain-timeout: 10s
shell:
  port-range: [%d, %d]
  health-check-interval: 250ms
  failed-instance-retry-interval: 250ms
`

var (
	portMu sync.Mutex
	// freeRanges are the lower ends of ranges whose tests ended.
	freeRanges []int
	nextPort   = 19000
)

// portRange hands each router 50 ports of 19000-19999, 20 routers at a
// time. A range comes back when its test ends, after its router and the
// router's instances stopped (cleanups run last registered first, and
// this one is registered before the router starts): handed out once
// each, the ranges ran out at the suite's second run (-count=2).
func portRange(t *testing.T) (int, int) {
	portMu.Lock()
	defer portMu.Unlock()
	var lo int
	if n := len(freeRanges); n > 0 {
		lo, freeRanges = freeRanges[n-1], freeRanges[:n-1]
	} else {
		if nextPort+49 > 19999 {
			t.Fatal("out of test ports: more than 20 routers at once")
		}
		lo = nextPort
		nextPort += 50
	}
	t.Cleanup(func() {
		portMu.Lock()
		defer portMu.Unlock()
		freeRanges = append(freeRanges, lo)
	})
	return lo, lo + 49
}

var listening = regexp.MustCompile(`"msg":"waiter serve: listening","addr":"([^"]+)"`)

// startRouter runs `waiter serve` with a fresh data folder, a JSON log
// and an access log, plus args; it is stopped (SIGTERM, exit 0 expected)
// when the test ends.
func startRouter(t *testing.T, args ...string) *router {
	t.Helper()
	waiter, _ := binaries(t)
	dir := t.TempDir()
	_ = os.Chmod(dir, 0o755)
	lo, hi := portRange(t)
	cfgPath := filepath.Join(dir, "waiter.yaml")
	if err := os.WriteFile(cfgPath, fmt.Appendf(nil, routerConfig, lo, hi), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &router{accessLog: filepath.Join(dir, "access.log"), done: make(chan struct{})}
	r.cmd = exec.Command(waiter, append([]string{"serve", "--config", cfgPath, "--data-dir", filepath.Join(dir, "data"),
		"--port", "0", "--log-format", "json", "--access-log", r.accessLog}, args...)...)
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			r.mu.Lock()
			r.log.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	go func() {
		<-copied
		r.waitErr = r.cmd.Wait()
		close(r.done)
	}()
	select {
	case a := <-addr:
		r.addr, r.url = a, "http://"+a
	case <-r.done:
		t.Fatalf("waiter serve exited before listening: %v\n%s", r.waitErr, r.logText())
	case <-time.After(60 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
		t.Fatalf("waiter serve did not listen within 60s:\n%s", r.logText())
	}
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *router) logText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.log.String()
}

// stop sends SIGTERM and checks the router drained and exited 0.
func (r *router) stop(t *testing.T) {
	select {
	case <-r.done:
		return
	default:
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(60 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
		t.Errorf("waiter serve still running 60s after SIGTERM:\n%s", r.logText())
		return
	}
	var ee *exec.ExitError
	if errors.As(r.waitErr, &ee) {
		t.Errorf("waiter serve exited %d after SIGTERM:\n%s", ee.ExitCode(), r.logText())
	}
}

// result is one run of the command line.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// cliEnv is the environment the command line sees: a HOME without a
// configuration file unless the test writes one.
type cliEnv map[string]string

func newEnv(t *testing.T) cliEnv {
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return cliEnv{"HOME": t.TempDir(), "USER": me.Username}
}

func (e cliEnv) get(k string) string { return e[k] }

// waiter runs the command line in-process with env.
func waiterCLI(t *testing.T, env cliEnv, args ...string) result {
	t.Helper()
	return waiterWith(t, env, Options{}, args...)
}

func waiterWith(t *testing.T, env cliEnv, o Options, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	o.Stdout, o.Stderr, o.Getenv = &out, &errOut, env.get
	code := Run(args, o)
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

// want fails unless r exited with code and its output holds every want.
func (r result) want(t *testing.T, code int, wants ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d; got %s", code, r)
	}
	for _, w := range wants {
		if !strings.Contains(r.stdout+r.stderr, w) {
			t.Fatalf("want %q in the output; got %s", w, r)
		}
	}
}

// decode parses r's stdout as JSON.
func (r result) decode(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, r)
	}
	return m
}

// closedPort is a loopback address nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// readAll reads a file or fails.
func readAll(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
