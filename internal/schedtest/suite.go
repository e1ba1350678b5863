package schedtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// DefaultTimeout bounds each wait of the suite.
const DefaultTimeout = 30 * time.Second

// Harness is a scheduler under test and how to describe services for it.
type Harness struct {
	// Scheduler is the live scheduler under test.
	Scheduler engine.Scheduler
	// Options describe services as the router would (service prefix).
	Options engine.DescriptionOptions
	// Params are added to every service's parameters.
	Params engine.Params
	// Timeout bounds each wait (DefaultTimeout).
	Timeout time.Duration
}

// Run runs the contract against h. It builds the service binary, and
// deletes every service it created when the test ends.
func Run(t *testing.T, h Harness) {
	if h.Timeout <= 0 {
		h.Timeout = DefaultTimeout
	}
	c := &suite{h: h, bin: BuildService(t), run: runID()}
	t.Run("lifecycle", c.lifecycle)
	t.Run("bad command", c.badCommand)
	t.Run("never healthy", c.neverHealthy)
}

type suite struct {
	h   Harness
	bin string
	run string
}

// runID keeps the services of one run apart from any other's on the
// same scheduler (a real Marathon keeps what a failed run left).
func runID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// describe builds a service running the test binary with env.
func (c *suite) describe(t *testing.T, name string, env map[string]string, extra engine.Params) *engine.Description {
	t.Helper()
	p := engine.Params{"name": "schedtest" + name, "version": c.run, "cmd": "exec '" + c.bin + "'",
		"cpus": 0.1, "mem": 64.0, "health-check-url": "/health", "grace-period-secs": 30.0}
	maps.Copy(p, c.h.Params)
	maps.Copy(p, extra)
	if len(env) > 0 {
		p["env"] = env
	}
	d, err := engine.NewDescription(p, c.h.Options)
	if err != nil {
		t.Fatalf("schedtest: description: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), c.h.Timeout)
		defer cancel()
		_ = c.h.Scheduler.DeleteService(ctx, d.ID) // it may be gone already
	})
	return d
}

// observe returns id's observation (Exists false when it is not listed).
func (c *suite) observe(id string) (engine.Observation, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.h.Timeout)
	defer cancel()
	all, err := c.h.Scheduler.Observe(ctx)
	return all[id], err
}

// await polls id's observation until cond holds, and returns it.
func (c *suite) await(t *testing.T, id, what string, cond func(engine.Observation) bool) engine.Observation {
	t.Helper()
	deadline := time.Now().Add(c.h.Timeout)
	for {
		obs, err := c.observe(id)
		if err == nil && cond(obs) {
			return obs
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; last observation %+v, error %v", c.h.Timeout, what, obs, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// retry calls f until it succeeds: schedulers may refuse a change for a
// while (Marathon's deployments lock an app).
func (c *suite) retry(t *testing.T, what string, f func(ctx context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(c.h.Timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), c.h.Timeout)
		err := f(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still failing after %v: %v", what, c.h.Timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// healthy: n instances, all healthy, n requested.
func healthy(n int) func(engine.Observation) bool {
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

func addr(in engine.ObservedInstance) string { return net.JoinHostPort(in.Host, strconv.Itoa(in.Port)) }

// serving reports whether something accepts connections at in's address.
func serving(in engine.ObservedInstance) bool {
	conn, err := net.DialTimeout("tcp", addr(in), time.Second)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

func (c *suite) awaitStopped(t *testing.T, in engine.ObservedInstance) {
	t.Helper()
	deadline := time.Now().Add(c.h.Timeout)
	for serving(in) {
		if time.Now().After(deadline) {
			t.Fatalf("instance %s still serves on %s", in.ID, addr(in))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lifecycle: create, become healthy, serve, create again, scale up, kill
// one, delete.
func (c *suite) lifecycle(t *testing.T) {
	t.Parallel()
	s := c.h.Scheduler
	d := c.describe(t, "life", map[string]string{"GREETING": "hello"}, nil)
	c.retry(t, "create", func(ctx context.Context) error { return s.CreateService(ctx, d, 1) })
	obs := c.await(t, d.ID, "1 healthy instance", healthy(1))
	in := obs.Instances[0]

	env := getEnv(t, in)
	for k, v := range map[string]string{"PORT0": strconv.Itoa(in.Port), "WAITER_SERVICE_ID": d.ID, "GREETING": "hello",
		"WAITER_USERNAME": "waiter", "WAITER_CPUS": "0.1", "WAITER_MEM_MB": "64"} {
		if env[k] != v {
			t.Errorf("instance env %s = %q, want %q", k, env[k], v)
		}
	}

	c.retry(t, "create again", func(ctx context.Context) error { return s.CreateService(ctx, d, 1) })
	if o, err := c.observe(d.ID); err != nil || o.Requested != 1 || len(o.Instances) != 1 {
		t.Errorf("creating an existing service changed it: %+v (%v)", o, err)
	}

	c.retry(t, "scale up", func(ctx context.Context) error { return s.ScaleService(ctx, d.ID, 3, false) })
	obs = c.await(t, d.ID, "3 healthy instances", healthy(3))

	victim := obs.Instances[1]
	c.retry(t, "kill", func(ctx context.Context) error { return s.KillInstance(ctx, d.ID, victim.ID, engine.KillOptions{}) })
	obs = c.await(t, d.ID, "2 healthy instances after the kill", healthy(2))
	for _, x := range obs.Instances {
		if x.ID == victim.ID {
			t.Fatalf("killed instance %s still listed", victim.ID)
		}
	}
	c.awaitStopped(t, victim)
	ctx, cancel := context.WithTimeout(context.Background(), c.h.Timeout)
	err := s.KillInstance(ctx, d.ID, victim.ID, engine.KillOptions{})
	cancel()
	if err == nil {
		t.Error("killing an instance that is gone succeeded")
	}

	// A replacing kill (an operator's) keeps the requested count: the
	// scheduler starts another instance in its place.
	replaced := obs.Instances[0]
	c.retry(t, "replacing kill", func(ctx context.Context) error {
		return s.KillInstance(ctx, d.ID, replaced.ID, engine.KillOptions{Replace: true})
	})
	obs = c.await(t, d.ID, "2 healthy instances after the replacing kill", func(o engine.Observation) bool {
		return healthy(2)(o) && o.Requested == 2 && !slices.ContainsFunc(o.Instances, func(x engine.ObservedInstance) bool { return x.ID == replaced.ID })
	})
	c.awaitStopped(t, replaced)

	c.retry(t, "delete", func(ctx context.Context) error { return s.DeleteService(ctx, d.ID) })
	c.await(t, d.ID, "the service to be gone", func(o engine.Observation) bool { return !o.Exists })
	for _, x := range obs.Instances {
		c.awaitStopped(t, x)
	}
}

func getEnv(t *testing.T, in engine.ObservedInstance) map[string]string {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr(in) + "/env")
	if err != nil {
		t.Fatalf("instance %s does not serve at %s: %v", in.ID, addr(in), err)
	}
	defer resp.Body.Close()
	var env map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatalf("GET /env of %s: %v", in.ID, err)
	}
	return env
}

// badCommand: a command that exits is reported failed with its code.
func (c *suite) badCommand(t *testing.T) {
	t.Parallel()
	s := c.h.Scheduler
	d := c.describe(t, "exit", map[string]string{"SERVICE_EXIT": "3"}, nil)
	c.retry(t, "create", func(ctx context.Context) error { return s.CreateService(ctx, d, 1) })
	obs := c.await(t, d.ID, "a failure with exit code 3", func(o engine.Observation) bool {
		for _, f := range o.Failed {
			if f.HasExitCode && f.ExitCode == 3 {
				return true
			}
		}
		return false
	})
	if obs.Requested != 1 {
		t.Errorf("a failure changed the requested count: %+v", obs)
	}
	for _, in := range obs.Instances {
		if in.Healthy {
			t.Errorf("an instance of a command that exits is healthy: %+v", in)
		}
	}
	c.retry(t, "delete", func(ctx context.Context) error { return s.DeleteService(ctx, d.ID) })
}

// neverHealthy: an instance whose health check keeps failing is reported
// unhealthy with its status, then failed as never-passed-health-checks.
func (c *suite) neverHealthy(t *testing.T) {
	t.Parallel()
	s := c.h.Scheduler
	d := c.describe(t, "sick", map[string]string{"SERVICE_HEALTH_STATUS": "500"}, engine.Params{"grace-period-secs": 1.0,
		"health-check-max-consecutive-failures": 1.0, "health-check-interval-secs": 5.0})
	c.retry(t, "create", func(ctx context.Context) error { return s.CreateService(ctx, d, 1) })
	seen500 := false
	c.await(t, d.ID, "a never-passed-health-checks failure", func(o engine.Observation) bool {
		for _, in := range o.Instances {
			if in.Healthy {
				t.Fatalf("instance healthy although its health check answers 500: %+v", in)
			}
			seen500 = seen500 || in.HealthCheckStatus == http.StatusInternalServerError
		}
		for _, f := range o.Failed {
			if f.Flags&engine.FlagNeverPassedHealthChecks != 0 {
				return true
			}
		}
		return false
	})
	if !seen500 {
		t.Errorf("no observation reported the health check's status %d", http.StatusInternalServerError)
	}
	c.retry(t, "delete", func(ctx context.Context) error { return s.DeleteService(ctx, d.ID) })
}
