package serve

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/fakesched"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/jwttest"
)

// keepRunning hides the fake scheduler's Shutdown (only engine.Scheduler's
// methods are promoted), so its instances outlive the router, as a
// Marathon's do, and the next router adopts them.
func keepRunning(s *fakesched.Scheduler) engine.Scheduler {
	return struct{ engine.Scheduler }{s}
}

// jwtRun runs `waiter serve` with the jwt authenticator on 127.0.0.1 over
// dir's store until the returned stop is called (or the test ends).
func jwtRun(t *testing.T, dir, jwks string, iss *jwttest.Issuer, sched engine.Scheduler) (url string, stop func()) {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.RouterID = "restart-router"
	cfg.RunAsUser = "alice"
	cfg.Admins = []string{"ops"}
	cfg.Authenticator = config.AuthJWT
	cfg.JWT = config.JWT{JWKSFile: jwks, Issuer: iss.Name, Audience: iss.Audience}
	cfg.PollInterval = 20 * time.Millisecond // adopt the running service at once after the restart
	cfg.FastPollInterval = 20 * time.Millisecond
	cfg.DrainTimeout = 5 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Config: cfg, Clock: clock.New(), Scheduler: sched, Listener: ln,
			Logger: slog.New(slog.DiscardHandler), Ready: func(string) { close(ready) }})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	t.Cleanup(stop)
	return "http://" + ln.Addr().String(), stop
}

// TestTokenOwnerKeepsServiceRightsAfterRestart: a service reached through
// bob's token runs as the requester (dave); bob is neither its run-as-user
// nor an admin, and may maintain it only as the token's owner. After the
// router restarts over the same store (its in-memory record of the token
// gone, and no request through the token since), bob may still suspend
// and delete the service, and a stranger still may not.
func TestTokenOwnerKeepsServiceRightsAfterRestart(t *testing.T) {
	iss, err := jwttest.New("https://issuer.test", "waiter.test", "k1")
	if err != nil {
		t.Fatal(err)
	}
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	if err := iss.WriteJWKS(jwks); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sched := fakesched.New(func(*engine.Description) http.Handler { return fakesched.Backend() })
	client := &http.Client{}
	t.Cleanup(client.CloseIdleConnections)
	url := ""
	call := func(user, method, path, body string, headers ...string) (int, string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, err := http.NewRequest(method, url+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", token(t, iss, user+"@example.test", time.Hour))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		setHeaders(req, headers)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return read(t, resp)
	}

	url, stop := jwtRun(t, dir, jwks, iss, keepRunning(sched))
	status, body := call("bob", "POST", "/token", `{"token": "shared", "cmd": "kitchen -p $PORT0", "cpus": 0.1, "mem": 64,
		"version": "v1", "run-as-user": "*", "permitted-user": "*"}`)
	wantBody(t, status, body, 200, "Successfully created shared")
	status, body = call("dave", "GET", "/hello", "", "x-waiter-token", "shared")
	wantBody(t, status, body, 200)
	status, id := call("dave", "GET", "/service-id", "", "x-waiter-token", "shared")
	wantBody(t, status, id, 200)
	status, body = call("ops", "GET", "/apps/"+id, "")
	wantBody(t, status, body, 200, `"run-as-user": "dave"`)
	stop()

	url, _ = jwtRun(t, dir, jwks, iss, sched)
	// Wait for the new router to adopt the service the scheduler still runs
	// (DELETE answers 404 for a service the router does not run).
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, body = call("ops", "GET", "/apps/"+id, "")
		if status == 200 && !strings.Contains(body, `"status": "Inactive"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the restarted router did not adopt %s: %d %s", id, status, body)
		}
		time.Sleep(20 * time.Millisecond) // polling the router's view, as in TestServiceState
	}

	status, body = call("eve", "POST", "/apps/"+id+"/suspend", "")
	wantBody(t, status, body, 403, "User eve not allowed to manage service "+id, "the owner of a token that reaches it (bob)")
	status, body = call("bob", "POST", "/apps/"+id+"/suspend", "")
	wantBody(t, status, body, 200, `"action": "suspend"`)
	status, body = call("bob", "POST", "/apps/"+id+"/resume", "")
	wantBody(t, status, body, 200, `"action": "resume"`)
	status, body = call("eve", "DELETE", "/apps/"+id, "")
	wantBody(t, status, body, 403, "User eve not allowed to manage service "+id)
	status, body = call("bob", "DELETE", "/apps/"+id, "")
	wantBody(t, status, body, 200, `"result": "deleted"`)
}
