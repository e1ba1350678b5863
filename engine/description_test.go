package engine

import (
	"errors"
	"strings"
	"testing"
)

func validCore() Params {
	return Params{"cmd": "kitchen -p $PORT0", "cpus": 0.1, "mem": 256.0, "version": "v1"}
}

func TestNewDescriptionAppliesWaiterDefaults(t *testing.T) {
	d, err := NewDescription(validCore(), DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]any{
		"concurrency-level": 1.0, "scale-up-factor": 0.1, "scale-down-factor": 0.001,
		"idle-timeout-mins": 30.0, "max-queue-length": 1000000.0, "max-instances": 500.0,
		"min-instances": 1.0, "jitter-threshold": 0.5, "instance-expiry-mins": 7200.0,
		"grace-period-secs": 30.0, "health-check-url": "/status", "load-balancing": "oldest",
		"permitted-user": "*", "metric-group": "other", "expired-instance-restart-rate": 0.1,
		"liveness-check-url": "/status", "liveness-check-interval-secs": 10.0,
	}
	for k, want := range checks {
		if got := d.Param(k); got != want {
			t.Errorf("default %s = %v, want %v", k, got, want)
		}
	}
	if d.ConcurrencyLevel != 1 || d.MaxInstances != 500 || d.IdleTimeout.Minutes() != 30 || d.LoadBalancing != LBOldest {
		t.Errorf("typed fields not filled: %+v", d)
	}
	if _, ok := d.Core["concurrency-level"]; ok {
		t.Error("defaults leaked into the core description")
	}
}

func TestValidationReportsEveryViolation(t *testing.T) {
	core := Params{
		"cmd": strings.Repeat("x", MaxCmdLength+1), "cpus": 64.0, "mem": 200000.0,
		"min-instances": 10.0, "max-instances": 5.0,
		"concurrency-level": 1.5, "scale-up-factor": 1.0, "load-balancing": "roundrobin",
		"ports": 2.0, "health-check-port-index": 2.0, "cmd-type": "fakecommand",
		"env":      map[string]string{"HOME": "/x", "1BAD": "v", "PORT3": "9"},
		"metadata": map[string]string{"Bad": "v"}, "grace-period-secs": "thirty",
	}
	_, err := NewDescription(core, DescriptionOptions{})
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want *ValidationError, got %v", err)
	}
	for _, field := range []string{"cmd", "cpus", "mem", "min-instances", "concurrency-level",
		"scale-up-factor", "load-balancing", "health-check-port-index", "cmd-type", "env",
		"metadata", "grace-period-secs", "version"} {
		if !ve.Has(field) {
			t.Errorf("violation of %s not reported; got %v", field, ve)
		}
	}
	if !strings.Contains(err.Error(), "Command type fakecommand is not supported") {
		t.Errorf("missing Waiter's cmd-type message: %v", err)
	}
	if ve.Code() != CodeInvalid {
		t.Errorf("validation code = %v", ve.Code())
	}
}

func TestRangesAtTheirEdges(t *testing.T) {
	ok := func(k string, v any) {
		t.Helper()
		c := validCore()
		c[k] = v
		if _, err := NewDescription(c, DescriptionOptions{}); err != nil {
			t.Errorf("%s=%v rejected: %v", k, v, err)
		}
	}
	bad := func(k string, v any) {
		t.Helper()
		c := validCore()
		c[k] = v
		_, err := NewDescription(c, DescriptionOptions{})
		var ve *ValidationError
		if !errors.As(err, &ve) || !ve.Has(k) {
			t.Errorf("%s=%v accepted or misreported: %v", k, v, err)
		}
	}
	ok("concurrency-level", 10000.0)
	bad("concurrency-level", 10001.0)
	bad("concurrency-level", 0.0)
	ok("scale-factor", 2.0)
	bad("scale-factor", 2.01)
	bad("scale-factor", 0.0)
	bad("scale-down-factor", 1.0)
	bad("scale-up-factor", 0.0)
	ok("jitter-threshold", 0.0)
	bad("jitter-threshold", 1.0)
	ok("expired-instance-restart-rate", 1.0)
	bad("expired-instance-restart-rate", 0.0)
	ok("grace-period-secs", 0.0)
	bad("grace-period-secs", 3601.0)
	ok("health-check-interval-secs", 600.0)
	bad("health-check-interval-secs", 4.0)
	ok("health-check-max-consecutive-failures", 36.0)
	bad("health-check-max-consecutive-failures", 37.0)
	ok("max-instances", 2000.0)
	bad("max-instances", 2001.0)
	ok("idle-timeout-mins", 43200.0)
	bad("idle-timeout-mins", 43201.0)
	bad("max-queue-length", 0.0)
	bad("ports", 11.0)
	bad("termination-grace-period-secs", 301.0)
	bad("restart-backoff-factor", 0.5)
	bad("distribution-scheme", "hashed")
	bad("backend-proto", "ftp")
	ok("env", map[string]string{"WAITER_CONFIG_X": "1", "FOO_BAR": "x"})
	bad("env", map[string]string{"WAITER_X": "1"})
	bad("env", map[string]string{"MESOS_X": "1"})
	bad("env", map[string]string{"PORT": "1"})
	bad("metric-group", "A")
	bad("cpus", 0.0)
	bad("mem", -1.0)
}

func TestCrossFieldRules(t *testing.T) {
	c := validCore()
	c["backend-proto"] = "h2c"
	c["health-check-proto"] = "http"
	_, err := NewDescription(c, DescriptionOptions{})
	var ve *ValidationError
	if !errors.As(err, &ve) || !ve.Has("health-check-proto") {
		t.Errorf("proto mismatch on port index 0 not reported: %v", err)
	}
	c["ports"] = 2.0
	c["health-check-port-index"] = 1.0
	if _, err := NewDescription(c, DescriptionOptions{}); err != nil {
		t.Errorf("health-check-proto may differ on another port: %v", err)
	}
	c = validCore()
	c["authentication"] = "disabled"
	c["health-check-authentication"] = "standard"
	if _, err := NewDescription(c, DescriptionOptions{}); err == nil {
		t.Error("standard health-check auth with disabled authentication accepted")
	}
	c = validCore()
	c["run-as-user"], c["namespace"] = "alice", "bob"
	if _, err := NewDescription(c, DescriptionOptions{}); err == nil {
		t.Error("namespace different from run-as-user accepted")
	}
}

func TestServiceIDHashesOnlyUserParameters(t *testing.T) {
	a, _ := NewDescription(validCore(), DescriptionOptions{})
	b, _ := NewDescription(validCore(), DescriptionOptions{})
	if a.ID != b.ID {
		t.Fatalf("same parameters, different ids: %s %s", a.ID, b.ID)
	}
	withDefault := validCore()
	withDefault["concurrency-level"] = 1.0 // Waiter's default, sent explicitly
	c, _ := NewDescription(withDefault, DescriptionOptions{})
	if c.ID == a.ID {
		t.Error("explicitly sending a default must give a different service (basic_test)")
	}
	named := validCore()
	named["name"] = "My_App-2!"
	n, _ := NewDescription(named, DescriptionOptions{})
	if !strings.HasPrefix(n.ID, "waiter-service-myapp2-") {
		t.Errorf("id %q lacks sanitized name", n.ID)
	}
	if !strings.HasPrefix(a.ID, "waiter-service-") || len(a.ID) != len("waiter-service-")+32 {
		t.Errorf("unnamed id %q has the wrong shape", a.ID)
	}
	o, err := a.WithOverrides(Params{"max-instances": 3.0}, DescriptionOptions{})
	if err != nil || o.ID != a.ID || o.MaxInstances != 3 {
		t.Errorf("override changed id or was not applied: %v %+v", err, o)
	}
	if _, err := a.WithOverrides(Params{"max-instances": 0.0}, DescriptionOptions{}); err == nil {
		t.Error("invalid override accepted")
	}
	envA := validCore()
	envA["env"] = map[string]string{"A": "1", "B": "2"}
	envB := validCore()
	envB["env"] = map[string]string{"B": "2", "A": "1"}
	x, _ := NewDescription(envA, DescriptionOptions{})
	y, _ := NewDescription(envB, DescriptionOptions{})
	if x.ID != y.ID {
		t.Error("map order changed the id")
	}
}

func TestProfiles(t *testing.T) {
	opts := DescriptionOptions{Profiles: map[string]Params{"webapp": {"concurrency-level": 120.0, "load-balancing": "random"}}}
	c := validCore()
	c["profile"] = "webapp"
	d, err := NewDescription(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d.ConcurrencyLevel != 120 || d.LoadBalancing != LBRandom {
		t.Errorf("profile defaults not applied: %d %v", d.ConcurrencyLevel, d.LoadBalancing)
	}
	plain, _ := NewDescription(validCore(), opts)
	if plain.ID == d.ID {
		t.Error("a profile must give a different service id")
	}
	c["profile"] = "nope"
	if _, err := NewDescription(c, opts); err == nil {
		t.Error("unknown profile accepted")
	}
}

func TestScalingPolicyParameter(t *testing.T) {
	c := validCore()
	c["scaling-policy"] = "knative"
	if d, err := NewDescription(c, DescriptionOptions{}); err != nil || d.ScalingPolicy != "knative" {
		t.Fatalf("knative policy refused: %v", err)
	}
	c["scaling-policy"] = "magic"
	_, err := NewDescription(c, DescriptionOptions{})
	var ve *ValidationError
	if !errors.As(err, &ve) || !ve.Has("scaling-policy") {
		t.Errorf("unknown policy accepted: %v", err)
	}
}

func TestEveryInvalidEnvNameIsNamed(t *testing.T) {
	c := validCore()
	c["env"] = map[string]string{"BEGIN-DATE": "x", "1_INVALID": "y", "123456": "z", "FOO": "ok", "HOME": "/h", "EMPTY": ""}
	_, err := NewDescription(c, DescriptionOptions{})
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{"1_INVALID", "123456", "BEGIN-DATE", "HOME", "EMPTY"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message does not name %s: %s", want, msg)
		}
	}
	if strings.Contains(msg, "FOO") {
		t.Errorf("message names the valid FOO: %s", msg)
	}
}
