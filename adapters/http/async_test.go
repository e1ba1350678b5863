package waiterhttp

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// asyncBackend is an instance with one async job: /async/request answers
// 202, /async/status says what state holds (200 running, 303 done, 410
// gone), /async/result answers the result.
type asyncBackend struct {
	srv    *httptest.Server
	state  atomic.Int32 // the status /async/status answers
	checks atomic.Int32 // GETs of /async/status
	mu     sync.Mutex
	auth   []string
}

func newAsyncBackend(t *testing.T) *asyncBackend {
	b := &asyncBackend{}
	b.state.Store(http.StatusOK)
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		b.mu.Lock()
		b.auth = append(b.auth, user+":"+pass)
		b.mu.Unlock()
		switch r.URL.Path {
		case "/async/request":
			w.Header().Set("Location", "/async/status?request-id=j1")
			w.WriteHeader(http.StatusAccepted)
		case "/async/status":
			if r.Method == http.MethodGet {
				b.checks.Add(1)
			}
			st := int(b.state.Load())
			if st == http.StatusSeeOther {
				w.Header().Set("Location", "/async/result?request-id=j1")
			}
			w.WriteHeader(st)
		case "/async/result":
			_, _ = w.Write([]byte("result of " + r.URL.Query().Get("request-id")))
		}
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *asyncBackend) hostPort() (string, int) {
	host, port, _ := net.SplitHostPort(b.srv.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	return host, p
}

// asyncEdge is an edge that grants every request the backend's instance.
func asyncEdge(t *testing.T, b *asyncBackend) *testEdge {
	e := newTestEdge(t, func(c *Config) {
		c.BackendAuth = func(string) (string, string, bool) { return "waiter", "pw", true }
	})
	host, port := b.hostPort()
	e.router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{Request: 7, Service: a.Description.ID, Instance: "i1", Host: host, Port: port}, nil
	}
	e.router.releases = make(chan engine.Outcome, 4)
	return e
}

// waitUntil polls cond until it holds, failing after a deadline.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitArmed waits until the monitor has started its n-th timer: it then
// waits on the mock clock for its next check.
func waitArmed(t *testing.T, e *testEdge, n int64) {
	t.Helper()
	waitUntil(t, "the monitor's next timer", func() bool { return e.srv.asyncs.armed.Load() >= n })
}

// awaitRelease waits (up to 5 s) for the instance's release and checks
// its outcome; what names the release in the failure.
func awaitRelease(t *testing.T, e *testEdge, want engine.Outcome, what string) {
	t.Helper()
	select {
	case o := <-e.router.releases:
		if o != want {
			t.Errorf("released with %v, want %v", o, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal(what)
	}
}

func noRelease(t *testing.T, e *testEdge, when string) {
	t.Helper()
	select {
	case o := <-e.router.releases:
		t.Fatalf("%s: the instance was released (%v), want it kept reserved", when, o)
	default:
	}
}

// A 202 keeps its grant; the monitor polls every check interval, keeps
// the instance through 200 and a relative 303, and releases it when the
// status says 410.
func TestAsyncRequestMonitoredUntilGone(t *testing.T) {
	b := newAsyncBackend(t)
	e := asyncEdge(t, b)
	// 50 s allows 50 checks at 1 s (a longer timeout would stretch the
	// interval: at most 50 checks).
	rec := e.do(t, req{path: "/async/request", headers: kitchenHeaders("x-waiter-async-check-interval", "1000",
		"x-waiter-async-request-timeout", "50000")})
	wantStatus(t, rec, http.StatusAccepted)
	loc := rec.Header().Get("Location")
	host, port := b.hostPort()
	prefix := "/waiter-async/status/"
	suffix := "/r1/" + describe(t).ID + "/" + host + "/" + strconv.Itoa(port) + "/async/status?request-id=j1"
	if !strings.HasPrefix(loc, prefix) || !strings.HasSuffix(loc, suffix) {
		t.Fatalf("Location %q, want %s<id>%s", loc, prefix, suffix)
	}
	noRelease(t, e, "after the 202")
	waitArmed(t, e, 1)

	for i, st := range []int{http.StatusOK, http.StatusSeeOther} {
		b.state.Store(int32(st))
		e.clock.Add(time.Second)
		waitUntil(t, "a status check", func() bool { return b.checks.Load() == int32(i+1) })
		waitArmed(t, e, int64(i+2))
		noRelease(t, e, "status "+strconv.Itoa(st))
	}
	b.state.Store(http.StatusGone)
	e.clock.Add(time.Second)
	awaitRelease(t, e, engine.OutcomeSuccess, "410 did not release the instance")
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, a := range b.auth {
		if a != "waiter:pw" {
			t.Errorf("a request reached the instance with credentials %q, want the service's", a)
		}
	}
}

// The client's result fetch ends the request at once; status and result
// calls of another user are refused, as are unknown ids.
func TestAsyncResultEndsRequest(t *testing.T) {
	b := newAsyncBackend(t)
	e := asyncEdge(t, b)
	rec := e.do(t, req{path: "/async/request", headers: kitchenHeaders()})
	wantStatus(t, rec, http.StatusAccepted)
	status := rec.Header().Get("Location")

	wantStatus(t, e.do(t, req{path: status, headers: map[string]string{hdrTestUser: "mallory"}}), http.StatusForbidden)
	wantStatus(t, e.do(t, req{path: strings.Replace(status, "/status/", "/status/0", 1)}), http.StatusGone)

	b.state.Store(http.StatusSeeOther)
	rec = e.do(t, req{path: status})
	wantStatus(t, rec, http.StatusSeeOther)
	result := rec.Header().Get("Location")
	if !strings.HasPrefix(result, "/waiter-async/result/") || !strings.HasSuffix(result, "/async/result?request-id=j1") {
		t.Fatalf("303 Location %q, want the router's result URL", result)
	}
	noRelease(t, e, "after a 303 to a result on the instance")
	rec = e.do(t, req{path: result})
	wantStatus(t, rec, http.StatusOK)
	if rec.Body.String() != "result of j1" {
		t.Errorf("result body %q", rec.Body.String())
	}
	awaitRelease(t, e, engine.OutcomeSuccess, "fetching the result did not release the instance")
}

// The async request timeout releases the instance however the status reads.
func TestAsyncRequestTimeoutReleases(t *testing.T) {
	b := newAsyncBackend(t)
	e := asyncEdge(t, b)
	rec := e.do(t, req{path: "/async/request", headers: kitchenHeaders("x-waiter-async-check-interval", "1000",
		"x-waiter-async-request-timeout", "2000")})
	wantStatus(t, rec, http.StatusAccepted)
	waitArmed(t, e, 1)
	e.clock.Add(time.Second)
	waitUntil(t, "a status check", func() bool { return b.checks.Load() == 1 })
	waitArmed(t, e, 2)
	noRelease(t, e, "1 s into a 2 s async timeout")
	// The second check uses up the timeout: then the instance goes.
	e.clock.Add(time.Second)
	select {
	case <-e.router.releases:
	case <-time.After(5 * time.Second):
		t.Fatal("the async request timeout did not release the instance")
	}
	if n := b.checks.Load(); n != 2 {
		t.Errorf("%d status checks in a 2 s timeout at 1 s intervals, want 2", n)
	}
}

// A panic in the monitor's status check (the router's own code, on the
// monitor's goroutine, where nothing recovers it) releases the instance
// as a client error instead of ending the process.
func TestAsyncMonitorPanicReleases(t *testing.T) {
	b := newAsyncBackend(t)
	e := newTestEdge(t, func(c *Config) {
		c.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.UserAgent() == "waiter-async-status-check" {
				panic("a bug in the status check")
			}
			return http.DefaultTransport.RoundTrip(r)
		})
	})
	host, port := b.hostPort()
	e.router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{Request: 7, Service: a.Description.ID, Instance: "i1", Host: host, Port: port}, nil
	}
	e.router.releases = make(chan engine.Outcome, 4)
	rec := e.do(t, req{path: "/async/request", headers: kitchenHeaders("x-waiter-async-check-interval", "1000",
		"x-waiter-async-request-timeout", "50000")})
	wantStatus(t, rec, http.StatusAccepted)
	waitArmed(t, e, 1)
	noRelease(t, e, "after the 202")
	e.clock.Add(time.Second)
	awaitRelease(t, e, engine.OutcomeClientError, "the monitor's panic did not release the instance")
}
