package marathon

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/fakemarathon"
	"github.com/waiter-go/waiter/sim/marathon"
)

func TestCreateScaleKillDelete(t *testing.T) {
	t.Parallel()
	_, url := newSim(t, nil)
	s := newScheduler(t, url, nil)
	ctx := context.Background()
	d := describe(t, "lifecycle", nil)
	if err := s.CreateService(ctx, d, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateService(ctx, d, 2); err != nil {
		t.Fatalf("creating an existing service: %v, want nil", err)
	}
	obs := observeOne(t, s, d.ID, "2 healthy instances", healthyN(2))
	if obs.Requested != 2 || obs.Scheduled != 2 {
		t.Errorf("observation %+v", obs)
	}
	in := obs.Instances[0]
	if !strings.HasPrefix(in.ID, d.ID+".") || in.Host != "127.0.0.1" || in.Port == 0 || in.StartedAt.IsZero() {
		t.Errorf("instance %+v", in)
	}
	// Forced scale-down asks for max(target, tasks): Marathon kills nothing.
	if err := s.ScaleService(ctx, d.ID, 1, true); err != nil {
		t.Fatal(err)
	}
	if o := observeOne(t, s, d.ID, "the forced scale", func(o engine.Observation) bool { return o.Exists }); o.Requested != 2 {
		t.Errorf("forced scale to 1 of 2 tasks requested %d, want 2", o.Requested)
	}
	if err := s.ScaleService(ctx, d.ID, 3, false); err != nil {
		t.Fatal(err)
	}
	observeOne(t, s, d.ID, "3 healthy instances", healthyN(3))
	var err error
	deadline := time.Now().Add(waitTimeout)
	for err = s.KillInstance(ctx, d.ID, in.ID, engine.KillOptions{}); err != nil; err = s.KillInstance(ctx, d.ID, in.ID, engine.KillOptions{}) {
		if !errors.Is(err, ErrConflict) || time.Now().After(deadline) {
			t.Fatalf("kill: %v", err)
		}
		time.Sleep(10 * time.Millisecond) // the scale's deployment locks the app until it ends
	}
	obs = observeOne(t, s, d.ID, "2 instances after the kill", healthyN(2))
	if obs.Requested != 2 {
		t.Errorf("kill did not decrement the count: requested %d", obs.Requested)
	}
	for _, x := range obs.Instances {
		if x.ID == in.ID {
			t.Error("killed instance still listed")
		}
	}
	if err := s.KillInstance(ctx, d.ID, in.ID, engine.KillOptions{}); !errors.Is(err, ErrInstanceNotFound) {
		t.Errorf("killing it again: %v, want ErrInstanceNotFound", err)
	}
	if err := s.DeleteService(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteService(ctx, d.ID); err != nil {
		t.Errorf("deleting a deleted service: %v, want nil", err)
	}
	all, err := s.Observe(ctx)
	if err != nil || all[d.ID].Exists {
		t.Errorf("deleted service still observed: %+v, %v", all[d.ID], err)
	}
	if err := s.ScaleService(ctx, d.ID, 1, false); !errors.Is(err, ErrServiceNotFound) {
		t.Errorf("scale a deleted service: %v, want ErrServiceNotFound", err)
	}
}

func TestOnlyWaiterAppsAreObserved(t *testing.T) {
	t.Parallel()
	_, url := newSim(t, nil)
	s := newScheduler(t, url, nil)
	other := describe(t, "other", nil)
	other.ID = "not-waiter-" + other.ID
	if err := s.CreateService(context.Background(), other, 1); err != nil {
		t.Fatal(err)
	}
	all, err := s.Observe(context.Background())
	if err != nil || len(all) != 0 {
		t.Fatalf("observed %v (%v), want no service: the app lacks the service prefix", all, err)
	}
}

// A deployment refuses a kill with scale; a forced kill goes through it
// (engine/syncer decides when to force), and a kill with Replace keeps
// the count so Marathon starts a replacement.
func TestForcedAndReplacingKills(t *testing.T) {
	t.Parallel()
	sim, url := newSim(t, nil)
	s := newScheduler(t, url, nil)
	ctx := context.Background()
	d := describe(t, "forcekill", nil)
	if err := s.CreateService(ctx, d, 2); err != nil {
		t.Fatal(err)
	}
	obs := observeOne(t, s, d.ID, "2 healthy instances", healthyN(2))
	if _, err := sim.HoldDeployment(d.ID, time.Hour); err != nil {
		t.Fatal(err)
	}
	victim := obs.Instances[0].ID
	if err := s.KillInstance(ctx, d.ID, victim, engine.KillOptions{}); !errors.Is(err, ErrConflict) {
		t.Fatalf("kill under a deployment: %v, want ErrConflict", err)
	}
	if err := s.KillInstance(ctx, d.ID, victim, engine.KillOptions{Force: true}); err != nil {
		t.Fatalf("forced kill under a deployment: %v", err)
	}
	obs = observeOne(t, s, d.ID, "the kill", func(o engine.Observation) bool { return o.Requested == 1 && len(o.Instances) == 1 })
	survivor := obs.Instances[0].ID
	if err := s.KillInstance(ctx, d.ID, survivor, engine.KillOptions{Replace: true, Force: true}); err != nil {
		t.Fatalf("replacing kill: %v", err)
	}
	observeOne(t, s, d.ID, "a replacement", func(o engine.Observation) bool {
		return o.Requested == 1 && len(o.Instances) == 1 && o.Instances[0].ID != survivor
	})
}

func TestFailuresReachTheObservation(t *testing.T) {
	t.Parallel()
	_, url := newSim(t, func(c *fakemarathon.Config) {
		c.BackoffSeconds = 0.01
		c.Behavior = func(id string) marathon.Behavior {
			if strings.Contains(id, "badcmd") {
				return marathon.Behavior{ExitCode: 127}
			}
			return marathon.Behavior{}
		}
	})
	s := newScheduler(t, url, nil)
	d := describe(t, "badcmd", engine.Params{"restart-backoff-factor": 1.0})
	if err := s.CreateService(context.Background(), d, 1); err != nil {
		t.Fatal(err)
	}
	obs := observeOne(t, s, d.ID, "two failures", func(o engine.Observation) bool { return len(o.Failed) >= 2 })
	f := obs.Failed[len(obs.Failed)-1]
	if !f.HasExitCode || f.ExitCode != 127 || f.Message != "Command exited with status 127" || f.StartedAt.IsZero() {
		t.Errorf("failure %+v", f)
	}
	obs = observeOne(t, s, d.ID, "the cap of 10 failures", func(o engine.Observation) bool { return len(o.Failed) == maxFailedInstances })
	ids := map[string]bool{}
	for _, f := range obs.Failed {
		if ids[f.ID] {
			t.Errorf("failure %s listed twice", f.ID)
		}
		ids[f.ID] = true
	}
	if err := s.DeleteService(context.Background(), d.ID); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failed[d.ID]) != 0 {
		t.Error("failures kept after delete")
	}
}

func TestHealthCheckKillIsNeverPassedHealthChecks(t *testing.T) {
	t.Parallel()
	_, url := newSim(t, func(c *fakemarathon.Config) {
		c.Behavior = func(string) marathon.Behavior { return marathon.Behavior{NeverHealthy: true} }
	})
	s := newScheduler(t, url, nil)
	d := describe(t, "sick", engine.Params{"grace-period-secs": 1.0, "health-check-max-consecutive-failures": 1.0})
	if err := s.CreateService(context.Background(), d, 1); err != nil {
		t.Fatal(err)
	}
	obs := observeOne(t, s, d.ID, "a health-check kill", func(o engine.Observation) bool { return len(o.Failed) > 0 })
	if f := obs.Failed[0]; f.Flags&engine.FlagNeverPassedHealthChecks == 0 || f.HasExitCode {
		t.Errorf("failure %+v, want never-passed-health-checks", f)
	}
}

func TestDriftIsRealigned(t *testing.T) {
	t.Parallel()
	_, url := newSim(t, func(c *fakemarathon.Config) { c.AgentCPUs = 0.25 }) // room for 2 tasks of 0.1
	s := newScheduler(t, url, func(c *Config) { c.SyncTimeout = 50 * time.Millisecond })
	d := describe(t, "drift", nil)
	if err := s.CreateService(context.Background(), d, 3); err != nil {
		t.Fatal(err)
	}
	observeOne(t, s, d.ID, "2 healthy of 3", healthyN(2))
	// The deployment cannot finish (no room): cancel it, as an operator
	// would; the app then wants 3 tasks and runs 2, with no deployment.
	cancelDeployments(t, url)
	obs := observeOne(t, s, d.ID, "realignment", func(o engine.Observation) bool { return o.Requested == 2 })
	if obs.Scheduled != 2 {
		t.Errorf("observation %+v", obs)
	}
}

func cancelDeployments(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url + "/v2/deployments")
	if err != nil {
		t.Fatal(err)
	}
	var deps []struct{ ID string }
	err = decodeJSON(resp, &deps)
	if err != nil || len(deps) != 1 {
		t.Fatalf("deployments %v: %v", deps, err)
	}
	req, _ := http.NewRequest(http.MethodDelete, url+"/v2/deployments/"+deps[0].ID+"?force=true", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("cancel deployment: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestMarathonDownIsAnErrorNotAPanic(t *testing.T) {
	t.Parallel()
	sim, url := newSim(t, nil)
	s := newScheduler(t, url, nil)
	ctx := context.Background()
	d := describe(t, "down", nil)
	sim.Unavailable(time.Hour)
	if _, err := s.Observe(ctx); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Observe while Marathon answers 503: %v, want ErrUnavailable", err)
	}
	for name, err := range map[string]error{
		"create": s.CreateService(ctx, d, 1),
		"scale":  s.ScaleService(ctx, d.ID, 1, true),
		"kill":   s.KillInstance(ctx, d.ID, d.ID+".x", engine.KillOptions{}),
		"delete": s.DeleteService(ctx, d.ID),
	} {
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "marathon: ") {
			t.Errorf("%s while Marathon is down: %v, want a wrapped ErrUnavailable", name, err)
		}
	}
	// Nothing listens at all.
	gone := newScheduler(t, "http://127.0.0.1:1", nil)
	if _, err := gone.Observe(ctx); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Observe with nothing listening: %v", err)
	}
}

func TestTransientFailuresAreRetried(t *testing.T) {
	t.Parallel()
	sim, url := newSim(t, nil)
	s := newScheduler(t, url, func(c *Config) { c.Retries = 3 })
	sim.RefuseNext(2, http.StatusServiceUnavailable)
	if err := s.CreateService(context.Background(), describe(t, "retry", nil), 1); err != nil {
		t.Fatalf("create after two 503s: %v (the transport retries 3 times)", err)
	}
}

func TestContextAndClose(t *testing.T) {
	t.Parallel()
	_, url := newSim(t, nil)
	s := newScheduler(t, url, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Observe(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Observe with a cancelled context: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateService(context.Background(), describe(t, "closed", nil), 1); !errors.Is(err, ErrClosed) {
		t.Errorf("create after Close: %v, want ErrClosed", err)
	}
	if err := s.KillInstance(context.Background(), "x", "no-dot", engine.KillOptions{}); !errors.Is(err, ErrInstanceNotFound) {
		t.Errorf("kill of a malformed task id: %v", err)
	}
}

// Close closes the connections the Scheduler kept open to Marathon for
// its next calls: a closed Scheduler holds none.
func TestCloseReleasesConnectionsToMarathon(t *testing.T) {
	t.Parallel()
	_, simURL := newSim(t, nil)
	target, err := url.Parse(simURL)
	if err != nil {
		t.Fatal(err)
	}
	var open atomic.Int64
	front := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(target))
	front.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	front.Start()
	defer front.Close()
	s, err := New(Config{URL: front.URL, HTTPTimeout: 5 * time.Second, Cluster: "test-cluster",
		Password: func(id string) string { return id }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Observe(context.Background()); err != nil {
		t.Fatal(err)
	}
	if open.Load() == 0 {
		t.Fatal("no connection to Marathon after a call")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for open.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections to Marathon still open after Close", open.Load())
		}
		time.Sleep(5 * time.Millisecond) // the server sees the close once its read fails
	}
}

// panickingTransport panics on every request, as go-marathon does on
// some answers it cannot read.
type panickingTransport struct{}

func (panickingTransport) RoundTrip(*http.Request) (*http.Response, error) { panic("boom") }

// A call that panics under go-marathon is an error, ErrUnavailable as
// for any bad answer, and the Scheduler goes on: the driver calls it
// from the router's own goroutine, which a panic would take down.
func TestPanickingCallIsAnError(t *testing.T) {
	t.Parallel()
	s, err := New(Config{URL: "http://127.0.0.1:1", Transport: panickingTransport{}, Cluster: "test-cluster",
		Password: func(id string) string { return id }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second finds the Scheduler as the first left it
		_, err := s.Observe(context.Background())
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "panicked: boom") {
			t.Fatalf("Observe through a panicking call: %v, want ErrUnavailable naming the panic", err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
