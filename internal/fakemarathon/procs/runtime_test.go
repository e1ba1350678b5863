package procs

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/waiter-go/waiter/internal/procgroup"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/marathon"
)

// envRole makes the test binary act as a task's program (TestMain).
const envRole = "PROCS_TEST_ROLE"

func TestMain(m *testing.M) {
	switch os.Getenv(envRole) {
	case "server":
		serve()
		return
	case "exit3":
		os.Exit(3)
	}
	os.Exit(m.Run())
}

// serve answers /health with 200 and /env with the environment, on $HOST:$PORT0.
func serve() {
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {})
	http.HandleFunc("/env", func(w http.ResponseWriter, _ *http.Request) {
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		_ = json.NewEncoder(w).Encode(env)
	})
	_ = http.ListenAndServe(net.JoinHostPort(os.Getenv("HOST"), os.Getenv("PORT0")), nil)
	os.Exit(1)
}

// sink collects reports.
type sink struct {
	mu     sync.Mutex
	checks []marathon.CheckResult
	ended  []marathon.Failure
}

func (s *sink) CheckDone(_ marathon.TaskRef, r marathon.CheckResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks = append(s.checks, r)
}

func (s *sink) ProgramEnded(_ marathon.TaskRef, f marathon.Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = append(s.ended, f)
}

var rangeSeq atomic.Int32

func newRuntime(t *testing.T) (*Runtime, *sink) {
	t.Helper()
	lo := 36000 + int(rangeSeq.Add(1)%100)*20 // apart from other packages' tests
	s := &sink{}
	r, err := New(Config{PortRange: [2]int{lo, lo + 19}, KillGrace: 2 * time.Second}, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		dir := r.WorkDir()
		if err := r.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("work folder %s left behind", dir)
		}
	})
	return r, s
}

func app(role string) *marathon.App {
	bin, _ := os.Executable()
	return &marathon.App{Spec: marathon.AppSpec{ID: "grp/app", Ports: 2, Version: "v1",
		Program: marathon.Program{Cmd: "exec '" + bin + "'", Env: map[string]string{envRole: role, "FOO": "bar"}},
		Check:   marathon.CheckSpec{Protocol: "HTTP", Path: "/health", Timeout: time.Second}}}
}

func task(id string) *marathon.Task {
	return &marathon.Task{ID: id, AppID: "grp/app", Host: DefaultHost}
}

func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTaskServesOnItsPortsWithMesosEnvironment(t *testing.T) {
	t.Parallel()
	r, s := newRuntime(t)
	a, tk := app("server"), task("grp_app.1")
	if err := r.Start(a, tk); err != nil {
		t.Fatal(err)
	}
	if len(tk.Ports) != 2 {
		t.Fatalf("ports %v, want 2 reserved", tk.Ports)
	}
	until(t, "a passing health check", func() bool {
		r.Check(a, tk, tk.Ref())
		time.Sleep(10 * time.Millisecond)
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.checks) > 0 && s.checks[len(s.checks)-1].Pass
	})
	resp, err := http.Get("http://" + net.JoinHostPort(tk.Host, strconv.Itoa(tk.Ports[0])) + "/env")
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]string
	err = json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"PORT0": strconv.Itoa(tk.Ports[0]), "PORT1": strconv.Itoa(tk.Ports[1]),
		"PORT": strconv.Itoa(tk.Ports[0]), "PORTS": fmt.Sprintf("%d,%d", tk.Ports[0], tk.Ports[1]),
		"HOST": DefaultHost, "MESOS_TASK_ID": "grp_app.1", "MARATHON_APP_ID": "/grp/app",
		"MARATHON_APP_VERSION": "v1", "FOO": "bar"}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if !strings.HasPrefix(env["MESOS_SANDBOX"], r.WorkDir()) {
		t.Errorf("MESOS_SANDBOX %q not under %s", env["MESOS_SANDBOX"], r.WorkDir())
	}
	r.Stop(tk)
	until(t, "the group to stop", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.live) == 0
	})
	if len(s.ended) != 0 {
		t.Errorf("a stop asked for was reported as an exit: %+v", s.ended)
	}
}

func TestExitIsReportedWithItsStatus(t *testing.T) {
	t.Parallel()
	r, s := newRuntime(t)
	if err := r.Start(app("exit3"), task("grp_app.2")); err != nil {
		t.Fatal(err)
	}
	until(t, "the exit report", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.ended) == 1
	})
	if f := s.ended[0]; f.Message != "Command exited with status 3" || !f.HasExitCode || f.ExitCode != 3 {
		t.Fatalf("failure %+v", f)
	}
}

func TestKillReachesForkedChildren(t *testing.T) {
	t.Parallel()
	r, _ := newRuntime(t)
	a := app("")
	a.Spec.Program = marathon.Program{Cmd: "sleep 300 & echo $! > child; wait"}
	tk := task("grp_app.3")
	if err := r.Start(a, tk); err != nil {
		t.Fatal(err)
	}
	pidFile := r.WorkDir() + "/grp_app.3/child"
	var child int
	until(t, "the child's pid", func() bool {
		b, err := os.ReadFile(pidFile)
		child, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && child > 0
	})
	r.Stop(tk)
	until(t, "the forked child to die", func() bool {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(child) + "/stat")
		if err != nil {
			return true
		}
		st, _, _ := procgroup.ParseStat(b)
		return st == 'Z'
	})
}

func TestCheckOfAClosedPortFails(t *testing.T) {
	t.Parallel()
	r, s := newRuntime(t)
	a := app("")
	tk := task("grp_app.4")
	tk.Ports = []int{1} // nothing listens on port 1
	r.Check(a, tk, tk.Ref())
	until(t, "the check result", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.checks) == 1
	})
	if c := s.checks[0]; c.Pass || c.Connected || c.Cause == "" {
		t.Fatalf("check %+v, want a failure with a cause", c)
	}
}

func TestCloseStopsEverything(t *testing.T) {
	t.Parallel()
	r, _ := newRuntime(t)
	a := app("")
	// Each task ignores SIGTERM, and says so in a file once it does: a
	// Close that came before the trap was set would see the shell die of
	// its SIGTERM at once and rightly report no error.
	ready := t.TempDir()
	a.Spec.Program = marathon.Program{Cmd: "trap '' TERM; touch '" + ready + "'/$MESOS_TASK_ID; sleep 300 & wait"}
	for i := range 3 {
		if err := r.Start(a, task(fmt.Sprintf("grp_app.c%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	until(t, "the tasks to ignore SIGTERM", func() bool {
		entries, _ := os.ReadDir(ready)
		return len(entries) == 3
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := r.Close(ctx); err == nil {
		t.Fatal("Close cut short by its context reported no error")
	}
	if len(r.live) != 0 {
		t.Fatalf("%d groups left after Close", len(r.live))
	}
	if err := r.Start(a, task("late")); err == nil {
		t.Fatal("Start after Close succeeded")
	}
}
