package engine

import (
	"maps"
	"testing"
	"time"
)

func TestInstanceEnv(t *testing.T) {
	got := InstanceEnv(EnvSpec{
		ServiceID: "s-1", ConcurrencyLevel: 4, CPUs: 0.5, MemMB: 256, MetricGroup: "web",
		Env:       map[string]string{"PATH": "/mine", "A": "1", "WAITER_CONFIG_TOKEN": "tok", "WAITER_CLUSTER": "spoofed"},
		RunAsUser: "alice", Home: "/home/alice", Cluster: "c1", Password: "pw",
		Inherited: map[string]string{"PATH": "/router", "TERM": "x"},
		Ports:     []int{10000, 10001}, Sandbox: "/sb",
	})
	want := map[string]string{
		"PATH": "/mine", "TERM": "x", "A": "1", "HOME": "/home/alice", "LOGNAME": "alice", "USER": "alice",
		"WAITER_CLUSTER": "c1", "WAITER_CONCURRENCY_LEVEL": "4", "WAITER_CPUS": "0.5", "WAITER_MEM_MB": "256",
		"WAITER_PASSWORD": "pw", "WAITER_SERVICE_ID": "s-1", "WAITER_USERNAME": "waiter",
		"WAITER_METRIC_GROUP": "web", "WAITER_TOKEN": "tok", "PORT0": "10000", "PORT1": "10001",
		"MESOS_SANDBOX": "/sb", "WAITER_SANDBOX": "/sb",
	}
	if !maps.Equal(got, want) {
		t.Errorf("InstanceEnv =\n%v\nwant\n%v", got, want)
	}
}

// Without a user, a token, a metric group, ports or a sandbox (Marathon
// with no default user) those variables are absent, not empty.
func TestInstanceEnvLeavesOutWhatIsUnknown(t *testing.T) {
	got := InstanceEnv(EnvSpec{ServiceID: "s", ConcurrencyLevel: 1, CPUs: 1, MemMB: 64})
	for _, k := range []string{"HOME", "LOGNAME", "USER", "WAITER_TOKEN", "WAITER_METRIC_GROUP", "PORT0", "MESOS_SANDBOX"} {
		if v, ok := got[k]; ok {
			t.Errorf("%s = %q, want it absent", k, v)
		}
	}
	if got["WAITER_CPUS"] != "1" || got["WAITER_MEM_MB"] != "64" {
		t.Errorf("numbers printed as %q and %q", got["WAITER_CPUS"], got["WAITER_MEM_MB"])
	}
}

func TestStartupProbeInterval(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct{ age, every, want time.Duration }{
		{0, 10 * time.Second, ms / 4},                // young: the floor
		{10 * ms, 10 * time.Second, ms / 4},          // age/80 below the floor
		{240 * ms, 10 * time.Second, 3 * ms},         // age/80 above the floor
		{4 * time.Second, 10 * time.Second, 50 * ms}, // age/80
		{time.Minute, 10 * time.Second, 100 * ms},    // the ceiling
		{time.Minute, 20 * ms, 20 * ms},              // never past the health-check interval
	} {
		if got := StartupProbeInterval(c.age, DefaultStartupProbeMin, DefaultStartupProbeMax, c.every); got != c.want {
			t.Errorf("age %v every %v: %v, want %v", c.age, c.every, got, c.want)
		}
	}
}
