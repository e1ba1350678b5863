package kubernetes

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// describe makes a service of the schedtest binary (or cmd) with params.
func describe(t *testing.T, s *Scheduler, name string, params engine.Params) *engine.Description {
	t.Helper()
	p := engine.Params{"name": name, "version": "1", "cpus": 0.1, "mem": 64.0, "health-check-url": "/health",
		"grace-period-secs": 30.0, "run-as-user": "waiter"}
	if _, ok := params["cmd"]; !ok {
		p["cmd"] = "exec '" + serviceBinary(t) + "'"
	}
	for k, v := range params {
		p[k] = v
	}
	d, err := engine.NewDescription(p, engine.DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.DeleteService(ctx, d.ID)
	})
	return d
}

// builtService is the schedtest service, built once by TestMain into a
// folder that lives as long as the package's tests.
var builtService string

func serviceBinary(t *testing.T) string {
	if builtService == "" {
		t.Fatal("the test service was not built")
	}
	return builtService
}

// buildService builds internal/schedtest's service into dir.
func buildService(dir string) (string, error) {
	_, file, _, _ := runtime.Caller(0)
	src := filepath.Join(filepath.Dir(file), "..", "..", "internal", "schedtest", "testdata", "service")
	out := filepath.Join(dir, "service")
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", src, err, b)
	}
	return out, nil
}

// await polls id's observation until cond holds.
func await(t *testing.T, s *Scheduler, id, what string, cond func(engine.Observation) bool) engine.Observation {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		o, err := s.ObserveService(ctx, id)
		cancel()
		if err == nil && cond(o) {
			return o
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last %+v (%v)", what, o, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// retry calls f until it succeeds (the watches may not have synced yet).
func retry(t *testing.T, what string, f func(ctx context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := f(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func healthyN(n int) func(engine.Observation) bool {
	return func(o engine.Observation) bool {
		if !o.Exists || o.Requested != n || len(o.Instances) != n {
			return false
		}
		for _, in := range o.Instances {
			if !in.Healthy {
				return false
			}
		}
		return true
	}
}
