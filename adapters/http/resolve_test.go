package waiterhttp

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// backend starts an httptest server and makes the fake router grant every
// request to it.
func (e *testEdge) backend(t *testing.T, h http.HandlerFunc) {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	host, portStr, _ := net.SplitHostPort(ts.Listener.Addr().String())
	port, _ := strconv.Atoi(portStr)
	e.router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{Request: 1, Service: a.Description.ID, Instance: a.Description.ID + ".1", Host: host, Port: port}, nil
	}
}

func TestTokensResolve(t *testing.T) {
	e := newTestEdgeWith(t, NewSimple("root")) // alice is an ordinary user
	e.backend(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("hello from " + r.Host)) })
	for _, body := range []string{
		`{"token": "kitchen", "cmd": "kitchen", "cpus": 0.1, "mem": 256, "version": "v1", "queue-timeout-ms": 1500, "socket-timeout-ms": 2500, "streaming-timeout-ms": 3500}`,
		`{"token": "big", "mem": 1024}`,
		`{"token": "svc.example.com", "cmd": "kitchen", "cpus": 1, "mem": 64, "version": "h"}`,
		`{"token": "closed", "cmd": "kitchen", "cpus": 1, "mem": 64, "version": "m", "maintenance": {"message": "Back at 5 <pm>"}}`,
	} {
		wantStatus(t, e.do(t, req{method: "POST", path: "/token", body: body}), 200)
	}
	// alice may not create a token running as bob; bob writes his own.
	if _, _, err := e.store.PutToken("private", map[string]any{"cmd": "kitchen", "cpus": 1.0, "mem": 64.0, "version": "p",
		"run-as-user": "bob", "permitted-user": "bob"}, "", "bob", e.clock.Now()); err != nil {
		t.Fatal(err)
	}

	t.Run("token header, timeouts from the token", func(t *testing.T) {
		rec := e.do(t, req{path: "/hi", headers: map[string]string{"x-waiter-token": "kitchen", "x-waiter-debug": "1"}})
		wantStatus(t, rec, 200)
		a := e.router.admitted[len(e.router.admitted)-1]
		if a.QueueTimeout != 1500*time.Millisecond {
			t.Errorf("queue timeout %v, want the token's 1.5s", a.QueueTimeout)
		}
		h := rec.Header()
		if h.Get("x-waiter-socket-timeout-ms") != "2500" || h.Get("x-waiter-streaming-timeout-ms") != "3500" {
			t.Errorf("debug timeouts socket %q streaming %q", h.Get("x-waiter-socket-timeout-ms"), h.Get("x-waiter-streaming-timeout-ms"))
		}
	})
	t.Run("headers beat tokens", func(t *testing.T) {
		e.do(t, req{path: "/hi", headers: map[string]string{"x-waiter-token": "kitchen", "x-waiter-queue-timeout": "700"}})
		if a := e.router.admitted[len(e.router.admitted)-1]; a.QueueTimeout != 700*time.Millisecond {
			t.Errorf("queue timeout %v, want the header's 700ms", a.QueueTimeout)
		}
	})
	t.Run("token list merges left to right", func(t *testing.T) {
		e.do(t, req{path: "/hi", headers: map[string]string{"x-waiter-token": "kitchen,big"}})
		if d := e.router.admitted[len(e.router.admitted)-1].Description; d.MemMB != 1024 || d.Cmd != "kitchen" {
			t.Errorf("merged description mem %v cmd %q", d.MemMB, d.Cmd)
		}
	})
	t.Run("every listed token must exist", func(t *testing.T) {
		rec := e.do(t, req{path: "/hi", headers: map[string]string{"x-waiter-token": "kitchen,nope"}})
		wantStatus(t, rec, http.StatusNotFound)
		if !strings.Contains(rec.Body.String(), "Token not found: nope") {
			t.Errorf("body %s", rec.Body.String())
		}
	})
	t.Run("Host names a token", func(t *testing.T) {
		rec := e.do(t, req{path: "/hi", host: "svc.example.com:9091"})
		wantStatus(t, rec, 200)
		if d := e.router.admitted[len(e.router.admitted)-1].Description; d.Version != "h" {
			t.Errorf("host token not used: %v", d.Core)
		}
		if !strings.Contains(rec.Body.String(), "svc.example.com") {
			t.Errorf("backend did not see the client's Host: %s", rec.Body.String())
		}
	})
	t.Run("an unknown Host is no token", func(t *testing.T) {
		rec := e.do(t, req{path: "/hi", host: "other.example.com"})
		wantStatus(t, rec, http.StatusBadRequest)
		if !strings.Contains(rec.Body.String(), engine.MsgCannotIdentify) {
			t.Errorf("body %s", rec.Body.String())
		}
	})
	t.Run("maintenance", func(t *testing.T) {
		rec := e.do(t, req{path: "/hi", headers: map[string]string{"x-waiter-token": "closed", "Accept": "text/html"}})
		wantStatus(t, rec, http.StatusServiceUnavailable)
		if !strings.Contains(rec.Body.String(), "Back at 5 &lt;pm&gt;") {
			t.Errorf("maintenance message missing or unescaped: %s", rec.Body.String())
		}
	})
	t.Run("permitted-user", func(t *testing.T) {
		rec := e.do(t, req{path: "/hi", headers: map[string]string{"x-waiter-token": "private"}})
		wantStatus(t, rec, http.StatusForbidden)
		if !strings.Contains(rec.Body.String(), msgNotPermitted) {
			t.Errorf("body %s", rec.Body.String())
		}
	})
	t.Run("run-as-user of on-the-fly headers", func(t *testing.T) {
		rec := e.do(t, req{path: "/hi", headers: kitchenHeaders("x-waiter-run-as-user", "bob")})
		wantStatus(t, rec, http.StatusForbidden)
		if !strings.Contains(rec.Body.String(), msgCannotRunAs) {
			t.Errorf("body %s", rec.Body.String())
		}
	})
	t.Run("unsupported header", func(t *testing.T) {
		wantStatus(t, e.do(t, req{path: "/hi", headers: kitchenHeaders("x-waiter-maintenance", "x")}), http.StatusBadRequest)
	})
}

// After a token edit, requests go to the previous version's healthy
// service until the new one is healthy; the new one is started meanwhile.
func TestTokenFallback(t *testing.T) {
	e := newTestEdge(t)
	e.backend(t, func(w http.ResponseWriter, r *http.Request) {})
	body := `{"token": "fb", "cmd": "kitchen", "cpus": 1, "mem": 64, "version": "VERSION"}`
	wantStatus(t, e.do(t, req{method: "POST", path: "/token", body: strings.Replace(body, "VERSION", "v1", 1)}), 200)
	e.do(t, req{path: "/", headers: map[string]string{"x-waiter-token": "fb"}})
	old := e.router.admitted[0].Description
	e.running(t, old)

	e.clock.Add(time.Minute)
	wantStatus(t, e.do(t, req{method: "POST", path: "/token", body: strings.Replace(body, "VERSION", "v2", 1)}), 200)
	e.clock.Add(10 * time.Second)
	e.do(t, req{path: "/", headers: map[string]string{"x-waiter-token": "fb"}})
	got := e.router.admitted[len(e.router.admitted)-1].Description
	if got.ID != old.ID {
		t.Fatalf("during the fallback period the request went to %s, want the old healthy %s", got.ID, old.ID)
	}
	if len(e.router.started) != 1 || e.router.started[0] == old.ID {
		t.Errorf("the new service was not started in the background: %v", e.router.started)
	}
	// /service-id names the service a request would reach: the fallback,
	// or the newest with fallback disabled.
	if id := e.do(t, req{path: "/service-id", headers: map[string]string{"x-waiter-token": "fb"}}).Body.String(); id != old.ID {
		t.Errorf("/service-id during the fallback period = %s, want the old healthy %s", id, old.ID)
	}
	if id := e.do(t, req{path: "/service-id", headers: map[string]string{"x-waiter-token": "fb",
		"x-waiter-fallback-period-secs": "0"}}).Body.String(); id == old.ID {
		t.Errorf("/service-id with fallback disabled = the old service %s", id)
	}

	// With fallback disabled by header, the request waits for the new one.
	e.do(t, req{path: "/", headers: map[string]string{"x-waiter-token": "fb", "x-waiter-fallback-period-secs": "0"}})
	if got := e.router.admitted[len(e.router.admitted)-1].Description; got.ID == old.ID {
		t.Errorf("fallback used although disabled")
	}
	// After the period (300 s by default), no fallback either.
	e.clock.Add(300 * time.Second)
	e.do(t, req{path: "/", headers: map[string]string{"x-waiter-token": "fb"}})
	if got := e.router.admitted[len(e.router.admitted)-1].Description; got.ID == old.ID {
		t.Errorf("fallback used after the fallback period")
	}
}
