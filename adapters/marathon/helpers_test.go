package marathon

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/fakemarathon"
)

// waitTimeout bounds every poll; polls end as soon as they succeed.
const waitTimeout = 20 * time.Second

// newSim starts a simulated Marathon (simulated tasks) on 127.0.0.1:0.
func newSim(t testing.TB, mutate func(*fakemarathon.Config)) (*fakemarathon.Server, string) {
	t.Helper()
	cfg := fakemarathon.Config{Simulated: true, LaunchLatency: 10 * time.Millisecond,
		FirstHealthCheck: 10 * time.Millisecond, StartCheckInterval: 10 * time.Millisecond}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := fakemarathon.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(context.Background()); err != nil {
			t.Errorf("closing the simulated Marathon: %v", err)
		}
	})
	return s, url
}

// newScheduler is a Scheduler of url with short timers; mutate adjusts it.
func newScheduler(t testing.TB, url string, mutate func(*Config)) *Scheduler {
	t.Helper()
	cfg := Config{URL: url, HTTPTimeout: 5 * time.Second, RetryDelay: 10 * time.Millisecond, Retries: 2,
		Cluster:  "test-cluster",
		Password: func(id string) string { return id + ".password" },
		Logger:   slog.New(slog.NewTextHandler(t.Output(), nil))}
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// describe builds a valid description; extra adds parameters.
func describe(t testing.TB, name string, extra engine.Params) *engine.Description {
	t.Helper()
	p := engine.Params{"name": name, "cmd": "sleep 1000", "cpus": 0.1, "mem": 64.0, "version": "1",
		"health-check-url": "/health", "grace-period-secs": 30.0}
	for k, v := range extra {
		p[k] = v
	}
	d, err := engine.NewDescription(p, engine.DescriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// observeOne polls id's observation until cond holds.
func observeOne(t testing.TB, s *Scheduler, id, what string, cond func(engine.Observation) bool) engine.Observation {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		all, err := s.Observe(context.Background())
		if err == nil && cond(all[id]) {
			return all[id]
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; last: %+v (err %v)", what, all[id], err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func healthyN(n int) func(engine.Observation) bool {
	return func(o engine.Observation) bool {
		h := 0
		for _, in := range o.Instances {
			if in.Healthy {
				h++
			}
		}
		return o.Exists && h == n && len(o.Instances) == n
	}
}

func decodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}
