package fakemarathon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	gomarathon "github.com/gambol99/go-marathon"
	"github.com/waiter-go/waiter/internal/fakemarathon"
	"github.com/waiter-go/waiter/sim/marathon"
)

// waitTimeout bounds every poll; the polls end as soon as their
// condition holds.
const waitTimeout = 20 * time.Second

// newServer starts a simulated Marathon on 127.0.0.1:0 with fast health
// checks; mutate adjusts its config. Cleanup closes it.
func newServer(t testing.TB, mutate func(*fakemarathon.Config)) (*fakemarathon.Server, string) {
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
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, url
}

// client is a go-marathon client of url.
func client(t testing.TB, url string) gomarathon.Marathon {
	t.Helper()
	cfg := gomarathon.NewDefaultConfig()
	cfg.URL = url
	cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	cfg.EventsTransport = gomarathon.EventsTransportSSE
	c, err := gomarathon.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// call sends one request and returns the status and body.
func call(t testing.TB, method, url string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// until polls cond until it holds.
func until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// app is a small app definition with an HTTP health check.
func app(id string, instances int) *gomarathon.Application {
	a := gomarathon.NewDockerApplication()
	a.Container = nil
	a.ID = id
	a.CPU(0.1).Memory(32).Count(instances)
	cmd := "sleep 1000"
	a.Cmd = &cmd
	hc := gomarathon.NewDefaultHealthCheck()
	path := "/health"
	hc.Path = &path
	hc.IntervalSeconds, hc.GracePeriodSeconds, hc.TimeoutSeconds = 10, 5, 5
	a.HealthChecks = &[]gomarathon.HealthCheck{*hc}
	return a
}

// healthy waits until app id runs n tasks, all healthy, and no deployment.
func healthy(t testing.TB, c gomarathon.Marathon, id string, n int) *gomarathon.Application {
	t.Helper()
	var a *gomarathon.Application
	until(t, id+" healthy", func() bool {
		var err error
		a, err = c.Application(id)
		return err == nil && a.TasksHealthy == n && len(a.Tasks) == n && len(a.Deployments) == 0
	})
	return a
}

// behaviors gives simulated programs by app id.
func behaviors(m map[string]marathon.Behavior) func(string) marathon.Behavior {
	return func(id string) marathon.Behavior { return m[id] }
}

// apiCode is go-marathon's error code of err, or -1.
func apiCode(err error) int {
	if e, ok := err.(*gomarathon.APIError); ok {
		return e.ErrCode
	}
	return -1
}
