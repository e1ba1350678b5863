package main

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests build the real binary and run it as a child process on a free
// loopback port: they cover what in-process tests cannot (flag wiring, the
// start-up sleep, os.Exit on /die, signal handling).

func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the kitchen binary")
	}
	bin := buildKitchen(t)

	t.Run("serves /status and exits 1 on /die", func(t *testing.T) {
		t.Parallel()
		k := startKitchen(t, bin)
		k.waitListening(t)

		resp, err := http.Get(k.url + "/status")
		if err != nil {
			t.Fatalf("GET /status: %v", err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || string(body) != "Hello World" {
			t.Fatalf("GET /status: %d %q (err %v), want 200 Hello World", resp.StatusCode, body, err)
		}

		if resp, err := http.Get(k.url + "/die"); err == nil {
			_ = resp.Body.Close()
			t.Fatalf("/die answered %d, want the connection dropped", resp.StatusCode)
		}
		if code := k.wait(t); code != 1 {
			t.Errorf("exit code %d after /die, want 1\n%s", code, k.output())
		}
	})

	t.Run("start-up sleep delays listening", func(t *testing.T) {
		t.Parallel()
		const startUpSleep = time.Second
		k := startKitchen(t, bin, "--start-up-sleep-ms", strconv.Itoa(int(startUpSleep.Milliseconds())))
		if took := k.waitListening(t); took < startUpSleep {
			t.Errorf("listening %v after start, want at least %v", took, startUpSleep)
		}
		if !strings.Contains(k.output(), "sleeping before listening") {
			t.Errorf("log does not mention the start-up sleep:\n%s", k.output())
		}
	})

	t.Run("exits 0 on SIGTERM", func(t *testing.T) {
		t.Parallel()
		k := startKitchen(t, bin)
		k.waitListening(t)
		if err := k.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatalf("signal: %v", err)
		}
		if code := k.wait(t); code != 0 {
			t.Errorf("exit code %d after SIGTERM, want 0\n%s", code, k.output())
		}
	})

	t.Run("binds loopback unless told, logs JSON when asked", func(t *testing.T) {
		t.Parallel()
		addr := freeAddr(t)
		_, port, _ := net.SplitHostPort(addr)
		k := &kitchenProc{addr: addr, url: "http://" + addr, done: make(chan struct{}), out: &syncBuffer{}}
		k.cmd = exec.Command(bin, "-p", port, "--log-format", "json")
		k.cmd.Env = cleanEnv()
		k.cmd.Stdout, k.cmd.Stderr = k.out, k.out
		k.started = time.Now()
		if err := k.cmd.Start(); err != nil {
			t.Fatalf("start kitchen: %v", err)
		}
		go func() { k.waitErr = k.cmd.Wait(); close(k.done) }()
		t.Cleanup(func() {
			_ = k.cmd.Process.Kill()
			<-k.done
		})
		k.waitListening(t)
		// An answer means Serve runs, so the line logged before it is out.
		resp, err := http.Get(k.url + "/status")
		if err != nil {
			t.Fatalf("GET /status: %v", err)
		}
		_ = resp.Body.Close()
		want := `"msg":"starting HTTP server","addr":"127.0.0.1:` + port + `"`
		if !strings.Contains(k.output(), want) {
			t.Errorf("log lacks %s:\n%s", want, k.output())
		}
	})

	t.Run("rejects unknown flags with exit 2", func(t *testing.T) {
		t.Parallel()
		k := startKitchen(t, bin, "--ssl")
		if code := k.wait(t); code != 2 {
			t.Errorf("exit code %d for an unknown flag, want 2\n%s", code, k.output())
		}
	})
}

// buildKitchen compiles this package into a temporary folder.
func buildKitchen(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH to build the binary: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "kitchen")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// kitchenProc is one running kitchen process.
type kitchenProc struct {
	cmd     *exec.Cmd
	addr    string
	url     string
	started time.Time
	done    chan struct{} // closed once the process has been waited for
	waitErr error
	out     *syncBuffer
}

// startKitchen runs the binary on a free loopback port with extra args; the
// process is killed and reaped when the test ends.
func startKitchen(t *testing.T, bin string, args ...string) *kitchenProc {
	t.Helper()
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	k := &kitchenProc{addr: addr, url: "http://" + addr, done: make(chan struct{}), out: &syncBuffer{}}
	k.cmd = exec.Command(bin, append([]string{"-p", port, "--host", "127.0.0.1"}, args...)...)
	k.cmd.Env = cleanEnv()
	k.cmd.Stdout, k.cmd.Stderr = k.out, k.out
	k.started = time.Now()
	if err := k.cmd.Start(); err != nil {
		t.Fatalf("start kitchen: %v", err)
	}
	go func() { k.waitErr = k.cmd.Wait(); close(k.done) }()
	t.Cleanup(func() {
		_ = k.cmd.Process.Kill() // fails harmlessly if it already exited
		<-k.done
	})
	return k
}

// waitListening polls until the port accepts a connection and returns how
// long after the start that was. It fails fast if the process exits.
func (k *kitchenProc) waitListening(t *testing.T) time.Duration {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if c, err := net.Dial("tcp", k.addr); err == nil {
			took := time.Since(k.started)
			_ = c.Close()
			return took
		}
		select {
		case <-k.done:
			t.Fatalf("kitchen exited before listening: %v\n%s", k.waitErr, k.output())
		case <-deadline:
			t.Fatalf("kitchen not listening on %s after 10s\n%s", k.addr, k.output())
		case <-tick.C:
		}
	}
}

// wait returns the exit code, failing if the process does not exit in time.
func (k *kitchenProc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-k.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("kitchen still running\n%s", k.output())
	}
	var exitErr *exec.ExitError
	if errors.As(k.waitErr, &exitErr) {
		return exitErr.ExitCode()
	}
	if k.waitErr != nil {
		t.Fatalf("wait: %v", k.waitErr)
	}
	return 0
}

func (k *kitchenProc) output() string { return k.out.String() }

// freeAddr finds a loopback port nobody is using right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// cleanEnv is the test's environment without the variables that change the
// kitchen's behaviour (a port, basic auth).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "PORT0", "WAITER_USERNAME", "WAITER_PASSWORD":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// syncBuffer collects a child's output; the copying goroutines of exec and
// the test read it concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
