package main

import (
	"encoding/json"
	"errors"
	"fmt"
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

	"github.com/waiter-go/waiter/internal/freeport"
	"github.com/waiter-go/waiter/internal/portowner"
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
		k := launchKitchen(t, bin, false, "--log-format", "json")
		k.waitListening(t)
		// An answer means Serve runs, so the line logged before it is
		// written (waitFor: it may still be on its way from the pipe).
		resp, err := http.Get(k.url + "/status")
		if err != nil {
			t.Fatalf("GET /status: %v", err)
		}
		_ = resp.Body.Close()
		_, port, _ := net.SplitHostPort(k.addr)
		want := `"msg":"starting HTTP server","addr":"127.0.0.1:` + port + `"`
		if !k.out.waitFor(want, 10*time.Second) {
			t.Errorf("log lacks %s:\n%s", want, k.output())
		}
	})

	t.Run("counts each connection's requests", func(t *testing.T) {
		t.Parallel()
		k := startKitchen(t, bin, "--keep-alive")
		k.waitListening(t)
		onConnection := func(c *http.Client) any {
			resp, err := c.Get(k.url + "/request-info")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var info map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
				t.Fatal(err)
			}
			return info["connection-requests"]
		}
		if n := onConnection(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}); n != 1.0 {
			t.Errorf("connection-requests %v on a connection's only request, want 1", n)
		}
		kept := &http.Client{Transport: &http.Transport{}}
		defer kept.CloseIdleConnections()
		for range 3 {
			resp, err := kept.Get(k.url + "/status")
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		if n := onConnection(kept); n != 4.0 {
			t.Errorf("connection-requests %v on the fourth request of a connection, want 4", n)
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
	bin      string
	withHost bool     // pass --host 127.0.0.1 (one test checks the default)
	args     []string // the test's own flags
	cmd      *exec.Cmd
	addr     string
	url      string
	started  time.Time
	done     chan struct{} // closed once the process has been waited for
	waitErr  error
	out      *syncBuffer
}

// startKitchen runs the binary on a free loopback port with extra args; the
// process is killed and reaped when the test ends.
func startKitchen(t *testing.T, bin string, args ...string) *kitchenProc {
	t.Helper()
	return launchKitchen(t, bin, true, args...)
}

// launchKitchen is startKitchen, with or without --host.
func launchKitchen(t *testing.T, bin string, withHost bool, args ...string) *kitchenProc {
	t.Helper()
	k := &kitchenProc{bin: bin, withHost: withHost, args: args}
	k.launch(t)
	return k
}

// launch starts the process on a port that was free a moment ago. The
// process leads its own process group, so waitListening can tell its
// listener from another's (freeAddr's port can be taken by a test of
// another package between the check and kitchen's bind).
func (k *kitchenProc) launch(t *testing.T) {
	t.Helper()
	k.addr = freeAddr(t)
	k.url = "http://" + k.addr
	_, port, _ := net.SplitHostPort(k.addr)
	args := []string{"-p", port}
	if k.withHost {
		args = append(args, "--host", "127.0.0.1")
	}
	cmd := exec.Command(k.bin, append(args, k.args...)...)
	cmd.Env = cleanEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	done := make(chan struct{})
	k.cmd, k.out, k.done = cmd, out, done
	k.started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kitchen: %v", err)
	}
	go func() { k.waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill() // fails harmlessly if it already exited
		<-done
	})
}

// waitListening waits until kitchen's own process holds a listening
// socket on its port and returns how long after the start that was. It
// fails fast if the process exits, except that a port taken in the
// meantime by someone else ("address already in use") is retried on a
// fresh port, a few times.
func (k *kitchenProc) waitListening(t *testing.T) time.Duration {
	t.Helper()
	for attempt := 1; ; attempt++ {
		took, err := k.listening(t)
		if err == nil {
			return took
		}
		if !strings.Contains(k.output(), "address already in use") || attempt == 3 {
			t.Fatalf("%v\n%s", err, k.output())
		}
		t.Logf("port %s was taken by another process before kitchen bound it; trying another", k.addr)
		k.launch(t)
	}
}

// listening polls until the kitchen process's group holds a listener on
// its port (portowner reads the kernel's socket tables) or the process
// exits.
func (k *kitchenProc) listening(t *testing.T) (time.Duration, error) {
	t.Helper()
	_, portText, _ := net.SplitHostPort(k.addr)
	port, _ := strconv.Atoi(portText)
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		ls, err := portowner.LoopbackListeners(port)
		if err != nil {
			t.Fatalf("reading the listening sockets: %v", err)
		}
		for _, l := range ls {
			if mine, _ := portowner.GroupHolds(k.cmd.Process.Pid, l.Inode); mine {
				return time.Since(k.started), nil
			}
		}
		select {
		case <-k.done:
			return 0, fmt.Errorf("kitchen exited before listening: %v", k.waitErr)
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

// freeAddr finds a loopback port nobody is using right now, for the
// kitchen process the test starts next (internal/freeport: from outside the
// kernel's ephemeral range, which no connection takes meanwhile).
func freeAddr(t *testing.T) string {
	t.Helper()
	ports, err := freeport.TCP(1)
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
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
	// changed is closed (and replaced) at each write.
	changed chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
	return s.b.Write(p)
}

// waitFor reports whether the output holds want within timeout. A line
// the child wrote before answering a request may not be here yet when
// the answer is: exec's goroutine copies it from a pipe (CI once saw an
// empty log after the answer).
func (s *syncBuffer) waitFor(want string, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if strings.Contains(s.b.String(), want) {
			s.mu.Unlock()
			return true
		}
		if s.changed == nil {
			s.changed = make(chan struct{})
		}
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			return strings.Contains(s.String(), want)
		}
	}
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
