package marathon

import (
	"errors"
	"strings"
	"testing"
	"time"

	gomarathon "github.com/gambol99/go-marathon"

	"github.com/waiter-go/waiter/engine"
)

func TestDescriptorFollowsWaiter(t *testing.T) {
	s := newScheduler(t, "http://127.0.0.1:1", func(c *Config) { c.ContainerInitCommands = []string{"waiter-mesos-init"} })
	d := describe(t, "desc", engine.Params{"ports": 2.0, "run-as-user": "alice", "namespace": "alice",
		"health-check-port-index": 1.0, "health-check-interval-secs": 7.0, "health-check-max-consecutive-failures": 4.0,
		"restart-backoff-factor": 3.0, "termination-grace-period-secs": 5.0, "backend-proto": "https",
		"metric-group": "mg", "env": map[string]string{"FOO": "bar", "WAITER_CONFIG_TOKEN": "tok"}})
	a, err := s.descriptor(d, 2)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != d.ID || *a.Instances != 2 || a.CPUs != 0.1 || *a.Mem != 64 || len(a.Ports) != 2 || a.User != "alice" {
		t.Errorf("app %+v", a)
	}
	if a.Cmd != nil || len(*a.Args) != 2 || (*a.Args)[0] != "waiter-mesos-init" || (*a.Args)[1] != "sleep 1000" {
		t.Errorf("args %v cmd %v, want init commands then cmd", a.Args, a.Cmd)
	}
	if *a.BackoffFactor != 3 || *a.TaskKillGracePeriodSeconds != 5 {
		t.Errorf("backoff %v, kill grace %v", *a.BackoffFactor, *a.TaskKillGracePeriodSeconds)
	}
	want := gomarathon.HealthCheck{Protocol: "HTTPS", GracePeriodSeconds: 30, IntervalSeconds: 7, TimeoutSeconds: 20}
	hc := (*a.HealthChecks)[0]
	if hc.Protocol != want.Protocol || hc.GracePeriodSeconds != 30 || hc.IntervalSeconds != 7 || hc.TimeoutSeconds != 20 ||
		*hc.Path != "/health" || *hc.PortIndex != 1 || *hc.MaxConsecutiveFailures != 4 {
		t.Errorf("health check %+v", hc)
	}
	labels := *a.Labels
	if labels["source"] != "waiter" || labels["user"] != "alice" || labels["namespace"] != "alice" {
		t.Errorf("labels %v", labels)
	}
	env := *a.Env
	for k, v := range map[string]string{"FOO": "bar", "WAITER_TOKEN": "tok", "HOME": "/home/alice", "USER": "alice",
		"LOGNAME": "alice", "WAITER_CLUSTER": "test-cluster", "WAITER_CONCURRENCY_LEVEL": "1", "WAITER_CPUS": "0.1",
		"WAITER_MEM_MB": "64", "WAITER_PASSWORD": d.ID + ".password", "WAITER_SERVICE_ID": d.ID,
		"WAITER_USERNAME": "waiter", "WAITER_METRIC_GROUP": "mg"} {
		if env[k] != v {
			t.Errorf("env %s = %q, want %q", k, env[k], v)
		}
	}
	if _, ok := env["WAITER_CONFIG_TOKEN"]; ok {
		t.Error("WAITER_CONFIG_TOKEN passed through; Waiter renames it WAITER_TOKEN")
	}
}

func TestGraceIsTwiceInstanceExpiryWhenZero(t *testing.T) {
	d := describe(t, "grace", engine.Params{"grace-period-secs": 0.0, "instance-expiry-mins": 1.0})
	if hc := healthCheck(d); hc.GracePeriodSeconds != int((2 * time.Minute).Seconds()) {
		t.Errorf("grace %d, want 120", hc.GracePeriodSeconds)
	}
}

func TestDescriptorRefusesWhatMarathonCannotRun(t *testing.T) {
	s := newScheduler(t, "http://127.0.0.1:1", nil)
	d := describe(t, "docker", nil)
	d.CmdType = "docker" // the engine refuses it too; the adapter must not rely on that
	if _, err := s.descriptor(d, 1); !errors.Is(err, ErrInvalidService) {
		t.Errorf("cmd-type docker: %v, want ErrInvalidService", err)
	}
	if _, err := s.descriptor(nil, 1); !errors.Is(err, ErrInvalidService) {
		t.Errorf("nil description: %v", err)
	}
}

func TestFailedInstanceParsesMarathonMessages(t *testing.T) {
	for _, c := range []struct {
		msg   string
		code  int
		has   bool
		flags engine.InstanceFlags
	}{
		{"Command exited with status 127", 127, true, 0},
		{"  Memory limit exceeded: Requested: 64MB Used: 70MB  ", 0, false, engine.FlagMemoryLimitExceeded},
		{"Task was killed since health check failed", 0, false, engine.FlagNeverPassedHealthChecks},
		{"Abnormal executor termination", 0, false, 0},
	} {
		in := failedInstance(&gomarathon.LastTaskFailure{TaskID: "/x.1", Host: "h", Message: c.msg,
			Timestamp: "2017-02-20T10:00:00.000Z"}, engine.FlagHasConnected)
		if in.ID != "x.1" || in.ExitCode != c.code || in.HasExitCode != c.has || in.Flags != c.flags|engine.FlagHasConnected ||
			in.StartedAt.IsZero() || in.Message != strings.TrimSpace(c.msg) {
			t.Errorf("%q: %+v", c.msg, in)
		}
	}
}

func TestConfigIsChecked(t *testing.T) {
	for _, url := range []string{"", "marathon:8080", "http://a:1,b:2"} {
		if _, err := New(Config{URL: url}); err == nil {
			t.Errorf("URL %q accepted", url)
		}
	}
}
