package waiterhttp

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/h1serve"
)

// loopHarness serves raw requests the way the event loops do (parsed by
// h1serve, LoopCall with the loop's decisions), without sockets.
type loopHarness struct {
	t     testing.TB
	srv   *Server
	fake  *fakeRouter
	store *memStore
	clk   clock.Clock
	d     *LoopDecisions
	call  *LoopCall
	base  http.Request
}

func newLoopHarness(t testing.TB) *loopHarness {
	t.Helper()
	store, fake := newMemStore(), newFakeRouter()
	clk := clock.New()
	srv, err := New(Config{RouterID: "r1", Hostnames: []string{"waiter.example"}},
		Deps{Router: asyncRouter{fake}, Store: store, Authn: localUser{}, Entitled: NewSimple(testUser), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	fake.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{Request: 1, Service: a.Description.ID, Instance: a.Description.ID + ".1", Host: "127.0.0.1", Port: 9}, nil
	}
	h := &loopHarness{t: t, srv: srv, fake: fake, store: store, clk: clk, d: srv.NewLoopDecisions()}
	h.call = srv.NewLoopCall(h.d)
	h.base = *h.base.WithContext(srv.ConnContext(context.Background()))
	h.base.RemoteAddr = "127.0.0.1:5000"
	return h
}

// token saves a token edited long ago (past its fallback period).
func (h *loopHarness) token(name string, data map[string]any) {
	h.t.Helper()
	if _, _, err := h.store.PutToken(name, data, "", testUser, h.clk.Now().Add(-time.Hour)); err != nil {
		h.t.Fatal(err)
	}
}

// loopResult is what one request came to on the loop.
type loopResult struct {
	step    LoopStep
	service string // the service admitted (LoopForward)
	// forwarded is the request the instance gets (LoopForward).
	forwarded string
	status    int    // the answer's status (LoopAnswered)
	head      string // the answer's head (LoopAnswered)
	kept      bool   // served from a kept decision
}

// serve serves one request, on the goroutine front when the loop hands
// it off (the first of a service, which stores it; its instance is not
// there to answer).
func (h *loopHarness) serve(raw string) loopResult {
	h.t.Helper()
	var parser h1serve.Head
	var resp h1serve.Buffered
	r := h.parseOnLoop(raw, &parser, &resp)
	defer resp.Release()
	hits := h.d.hits
	res := loopResult{step: h.call.Begin(resp.Writer(), r, parser.Fields(), nil)}
	res.kept = h.d.hits > hits
	switch res.step {
	case LoopHandoff:
		r2, _, _ := parser.Parse([]byte(raw), &http.Request{})
		w := &benchWriter{h: http.Header{}}
		h.srv.ServeHTTP(w, r2)
		res.status = w.code
		return res
	case LoopForward:
		res.service = h.call.rs.desc.ID
		res.forwarded = string(h.call.AppendRequest(nil))
	case LoopAnswered:
		out, _ := resp.Finish()
		res.head, _, _ = strings.Cut(string(out), "\r\n\r\n")
		_, _ = fmtSscan(res.head, &res.status)
	}
	h.call.Finish(LoopComplete, 0)
	return res
}

// parseOnLoop parses raw as the loops do, into parser, fails the test
// unless the loops take it, and readies resp for its answer.
func (h *loopHarness) parseOnLoop(raw string, parser *h1serve.Head, resp *h1serve.Buffered) *http.Request {
	h.t.Helper()
	r, _, ok := parser.Parse([]byte(raw), &h.base)
	if !ok || !h.srv.LoopRoutable(r, parser.Fields()) {
		h.t.Fatalf("not a request the loops take: %q", raw)
	}
	resp.Reset(r)
	return r
}

func fmtSscan(head string, status *int) (int, error) {
	code, _, _ := strings.Cut(strings.TrimPrefix(head, "HTTP/1.1 "), " ")
	n := 0
	for _, c := range code {
		n = n*10 + int(c-'0')
	}
	*status = n
	return n, nil
}

func loopGet(headers ...string) string {
	return "GET /x HTTP/1.1\r\nHost: 127.0.0.1:9091\r\n" + strings.Join(headers, "\r\n") + "\r\n\r\n"
}

// A request the same way as one before it takes that one's decision;
// what may have changed since is checked each time, so that a token's
// new version, a suspension, another caller or a CORS request is decided
// anew, as the goroutine front decides it.
func TestLoopDecisionsStandUntilTheirInputsChange(t *testing.T) {
	h := newLoopHarness(t)
	h.token("kit", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1"})
	req := loopGet("x-waiter-token: kit")
	if got := h.serve(req); got.step != LoopHandoff {
		t.Fatalf("first request: %+v, want a handoff that starts the service", got)
	}
	first := h.serve(req)
	if first.step != LoopForward || first.kept {
		t.Fatalf("second request: %+v, want decided anew and forwarded", first)
	}
	if got := h.serve(req); got.step != LoopForward || !got.kept || got.service != first.service {
		t.Fatalf("third request: %+v, want the kept decision for %s", got, first.service)
	}

	t.Run("another caller", func(t *testing.T) {
		got := h.serve(loopGet("x-waiter-token: kit", hdrTestUser+": carol"))
		if got.kept {
			t.Fatalf("carol took %s's decision: %+v", testUser, got)
		}
	})
	t.Run("CORS", func(t *testing.T) {
		got := h.serve(loopGet("x-waiter-token: kit", "Origin: http://elsewhere.example"))
		if got.kept {
			t.Fatalf("a request with an Origin took a kept decision: %+v", got)
		}
	})
	t.Run("other headers", func(t *testing.T) {
		got := h.serve(loopGet("x-waiter-token: kit", "x-waiter-queue-timeout: 5000"))
		if got.kept {
			t.Fatalf("other x-waiter-* headers took the decision: %+v", got)
		}
	})
	t.Run("suspended", func(t *testing.T) {
		h.serve(req) // decided anew after carol's
		if got := h.serve(req); !got.kept {
			t.Fatalf("before the suspension: %+v, want the kept decision", got)
		}
		h.srv.services.setSuspension(first.service, waiter.Change{Suspended: true, User: testUser, Time: h.clk.Now()})
		got := h.serve(req)
		if got.kept || got.step != LoopAnswered || got.status != http.StatusServiceUnavailable {
			t.Fatalf("after a suspension: %+v, want 503 decided anew", got)
		}
		h.srv.services.setSuspension(first.service, waiter.Change{User: testUser, Time: h.clk.Now()})
		if got := h.serve(req); got.step != LoopForward {
			t.Fatalf("after resuming: %+v", got)
		}
	})
	t.Run("new token version", func(t *testing.T) {
		if got := h.serve(req); !got.kept {
			t.Fatalf("before the change: %+v, want the kept decision", got)
		}
		h.token("kit", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v2"})
		got := h.serve(req)
		if got.kept || got.service == first.service {
			t.Fatalf("after the token changed: %+v, want a new decision (not %s)", got, first.service)
		}
	})
	t.Run("token deleted", func(t *testing.T) {
		if _, err := h.store.DeleteToken("kit", false, "", testUser, h.clk.Now()); err != nil {
			t.Fatal(err)
		}
		got := h.serve(req)
		if got.kept || got.step != LoopAnswered || got.status != http.StatusNotFound {
			t.Fatalf("after the token was deleted: %+v, want 404", got)
		}
	})
}

// Within a token's fallback period a request falls back to an earlier
// version's service while its own has no healthy instance: a decision
// made then stands only while the service is healthy. A decision is per
// caller too: a permitted-user rule refuses another caller on the kept
// path as on the full one.
func TestLoopDecisionsWithinFallbackAndPerCaller(t *testing.T) {
	h := newLoopHarness(t)
	if _, _, err := h.store.PutToken("fresh", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1"},
		"", testUser, h.clk.Now()); err != nil {
		t.Fatal(err)
	}
	req := loopGet("x-waiter-token: fresh")
	h.serve(req) // starts the service
	var id string
	for i := range 3 {
		got := h.serve(req)
		if got.kept || got.step != LoopForward {
			t.Fatalf("request %d within the fallback period, no healthy instance: %+v, want decided anew", i, got)
		}
		id = got.service
	}
	h.fake.put(waiter.ServiceSnapshot{ID: id, Instances: []waiter.InstanceSnapshot{{ObservedInstance: engine.ObservedInstance{ID: id + ".1", Healthy: true}}}})
	h.serve(req)
	if got := h.serve(req); !got.kept || got.service != id {
		t.Fatalf("within the fallback period, healthy: %+v, want the kept decision", got)
	}
	h.fake.put(waiter.ServiceSnapshot{ID: id})
	if got := h.serve(req); got.kept {
		t.Fatalf("within the fallback period, no longer healthy: %+v, want decided anew", got)
	}

	h.token("mine", map[string]any{"cmd": "kitchen", "cpus": 0.1, "mem": 64.0, "version": "v1", "permitted-user": "bob"})
	bob := loopGet("x-waiter-token: mine", hdrTestUser+": bob")
	h.serve(bob)
	h.serve(bob)
	if got := h.serve(bob); !got.kept {
		t.Fatalf("bob's third request: %+v, want the kept decision", got)
	}
	got := h.serve(loopGet("x-waiter-token: mine", hdrTestUser+": carol"))
	if got.step != LoopAnswered || got.status != http.StatusForbidden {
		t.Fatalf("carol on bob's token: %+v, want 403", got)
	}
}
