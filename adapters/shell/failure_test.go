package shell

import (
	"github.com/waiter-go/waiter/internal/procgroup"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
)

func TestExitIsFailedWithCodeAndRelaunched(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	d := describe(t, engine.Params{"env": map[string]string{envExitCode: "3"}})
	create(t, s, d, 1)
	first := waitObs(t, s, d.ID, "1 healthy", healthy(1)).Instances[0]

	// The service exits on its own (GET /die); the answer never comes.
	_, _ = http.Get("http://" + net.JoinHostPort(first.Host, strconv.Itoa(first.Port)) + "/die")

	obs := waitObs(t, s, d.ID, "the failure and a healthy replacement", func(o engine.Observation) bool {
		return len(o.Failed) == 1 && healthyCount(o) == 1 && o.Instances[0].ID != first.ID
	})
	f := obs.Failed[0]
	if f.ID != first.ID || !f.HasExitCode || f.ExitCode != 3 || f.Healthy || f.Message != "Exited with code 3" {
		t.Errorf("failed instance = %+v, want %s with exit code 3", f, first.ID)
	}
	if f.Flags&engine.FlagNeverPassedHealthChecks != 0 {
		t.Errorf("an instance that was healthy is flagged never-passed: %v", f.Flags)
	}
	if obs.Requested != 1 || obs.Scheduled != 1 {
		t.Errorf("requested %d scheduled %d, want 1 and 1: a crash does not lower the request", obs.Requested, obs.Scheduled)
	}
	// Its logs stay while it is listed; its restart record does not.
	dir := s.InstanceDir(d.ID, first.ID)
	if _, err := os.Stat(filepath.Join(dir, "stdout")); err != nil {
		t.Errorf("failed instance's stdout: %v", err)
	}
	waitUntil(t, "the failed instance's record to go", func() bool {
		_, err := os.Stat(filepath.Join(dir, instanceRecordName))
		return os.IsNotExist(err)
	})
}

func TestMissingCommandFailsWith127(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	d := describe(t, engine.Params{"cmd": "asdfxyz"})
	create(t, s, d, 1)
	obs := waitObs(t, s, d.ID, "3 failures", failedAtLeast(3))
	ids := map[string]bool{}
	for _, f := range obs.Failed {
		if !f.HasExitCode || f.ExitCode != 127 {
			t.Errorf("failed instance %s: exit code %d (known %v), want 127", f.ID, f.ExitCode, f.HasExitCode)
		}
		ids[f.ID] = true
	}
	if len(ids) != len(obs.Failed) {
		t.Errorf("relaunches reused instance ids: %v", obs.Failed)
	}
	stderr, _ := os.ReadFile(filepath.Join(s.InstanceDir(d.ID, obs.Failed[0].ID), "stderr"))
	if !strings.Contains(string(stderr), "asdfxyz") {
		t.Errorf("stderr of the failed instance = %q, want the shell's complaint", stderr)
	}
}

func TestFailedInstancesAreCapped(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, func(c *Config) { c.MaxFailedInstances = 3; c.FailedInstanceRetryInterval = time.Millisecond })
	d := describe(t, engine.Params{"cmd": "exit 7"})
	create(t, s, d, 1)
	var firstFailed string
	waitObs(t, s, d.ID, "a first failure", func(o engine.Observation) bool {
		if len(o.Failed) > 0 {
			firstFailed = o.Failed[0].ID
		}
		return firstFailed != ""
	})
	obs := waitObs(t, s, d.ID, "the first failure to be dropped", func(o engine.Observation) bool {
		return len(o.Failed) == 3 && o.Failed[0].ID != firstFailed
	})
	for _, f := range obs.Failed {
		if f.ExitCode != 7 {
			t.Errorf("failure %+v, want exit code 7", f)
		}
	}
	waitUntil(t, "the dropped failure's folder to be removed", func() bool {
		_, err := os.Stat(s.InstanceDir(d.ID, firstFailed))
		return os.IsNotExist(err)
	})
}

func TestNeverListeningInstanceIsKilledAfterGrace(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	d := describe(t, engine.Params{"env": map[string]string{envRole: "idle"}})
	d.GracePeriod = 150 * time.Millisecond
	create(t, s, d, 1)
	first := waitObs(t, s, d.ID, "an instance", func(o engine.Observation) bool { return len(o.Instances) == 1 }).Instances[0]
	pgid := pgidOf(t, s, d.ID, first.ID)

	obs := waitObs(t, s, d.ID, "the grace-period kill and a relaunch", func(o engine.Observation) bool {
		return len(o.Failed) >= 1 && len(o.Instances) == 1 && o.Instances[0].ID != first.ID
	})
	f := obs.Failed[0]
	if f.ID != first.ID || f.Flags&engine.FlagNeverPassedHealthChecks == 0 || f.HasExitCode {
		t.Errorf("failed instance = %+v, want %s never-passed without an exit code", f, first.ID)
	}
	if f.Flags&(engine.FlagHasConnected|engine.FlagHasResponded) != 0 {
		t.Errorf("nothing listened, yet flags = %v", f.Flags)
	}
	if f.Message != "Exceeded grace period of 0.15 seconds" {
		t.Errorf("message = %q", f.Message)
	}
	waitUntil(t, "the killed group to be gone", func() bool { return !procgroup.Alive(pgid) })
}

func TestHealthCheck401IsRecorded(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, nil)
	d := describe(t, engine.Params{"grace-period-secs": 0.0, "env": map[string]string{envHealthStatus: "401"}})
	create(t, s, d, 1)
	obs := waitObs(t, s, d.ID, "a 401 health check", func(o engine.Observation) bool {
		return len(o.Instances) == 1 && o.Instances[0].HealthCheckStatus == 401
	})
	in := obs.Instances[0]
	if in.Healthy || in.Flags&engine.FlagHasConnected == 0 || in.Flags&engine.FlagHasResponded == 0 {
		t.Errorf("instance = %+v, want unhealthy, connected and responded", in)
	}
}

func TestHealthCheckTimeoutIsFlagged(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, func(c *Config) { c.HealthCheckTimeout = 30 * time.Millisecond })
	d := describe(t, engine.Params{"env": map[string]string{envHealthHang: "1"}})
	// The grace period must outlast the process's start, or the checks
	// time out connecting rather than waiting for an answer: 0.3 s was
	// not enough on a loaded 2-core machine.
	d.GracePeriod = 2 * time.Second
	create(t, s, d, 1)
	obs := waitObs(t, s, d.ID, "a grace-period kill", failedAtLeast(1))
	f := obs.Failed[0]
	want := engine.FlagNeverPassedHealthChecks | engine.FlagHasConnected | engine.FlagTimeoutException
	if f.Flags&want != want || f.Flags&engine.FlagHasResponded != 0 {
		t.Errorf("flags = %b, want never-passed, has-connected, timeout and not has-responded", f.Flags)
	}
}

func TestMemoryLimitKillsInstance(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, func(c *Config) { c.MemoryCheckInterval = 10 * time.Millisecond })
	// The leader is small; a child it forked allocates: the limit applies
	// to the whole process group.
	d := describe(t, engine.Params{"mem": 48.0, "grace-period-secs": 0.0, "env": map[string]string{
		envRole: "idle", envChild: "1", envChildRole: "alloc", envAllocMB: "96"}})
	create(t, s, d, 1)
	obs := waitObs(t, s, d.ID, "a memory-limit kill", failedAtLeast(1))
	f := obs.Failed[0]
	if f.Flags&engine.FlagMemoryLimitExceeded == 0 || f.Message != "Exceeded allocated memory usage" {
		t.Errorf("failed instance = %+v, want memory-limit-exceeded", f)
	}
	// No exit code: were it 137 every time, the engine would call it a
	// bad startup command instead of not enough memory.
	if f.HasExitCode {
		t.Errorf("a memory kill reports exit code %d", f.ExitCode)
	}
	pgid := pgidOf(t, s, d.ID, f.ID)
	waitUntil(t, "the killed group to be gone", func() bool { return !procgroup.Alive(pgid) })
}

func TestScaleUpWaitsForPendingRetry(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, func(c *Config) { c.FailedInstanceRetryInterval = time.Hour })
	d := describe(t, engine.Params{"cmd": "exit 5"})
	create(t, s, d, 1)
	waitObs(t, s, d.ID, "the first failure", func(o engine.Observation) bool {
		return len(o.Failed) == 1 && o.Scheduled == 0
	})
	if err := s.ScaleService(t.Context(), d.ID, 3, false); err != nil {
		t.Fatalf("ScaleService: %v", err)
	}
	if obs := observe(t, s, d.ID); obs.Requested != 3 || obs.Scheduled != 0 {
		t.Errorf("after scaling a crash-looping service: requested %d scheduled %d, want 3 and 0 until the retry",
			obs.Requested, obs.Scheduled)
	}
}
