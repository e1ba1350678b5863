package acceptance

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Ports of async_request_integration_test.clj: a kitchen /async/request
// answers 202 with a relative Location; the router keeps the instance
// reserved (the request stays outstanding), rewrites the Location to its
// own /waiter-async/status URL, polls the status itself, proxies the
// client's status, result and DELETE calls to the instance, and releases
// the instance when the work completes, is fetched, canceled or times out.

// asyncHeaders is an on-the-fly kitchen service for async tests: its
// status is checked every 200 ms (the 10 s timeout allows it), and the
// kitchen works on a request for processing and keeps its result 20 s.
func asyncHeaders(t *testing.T, processing string) map[string]string {
	return map[string]string{"x-waiter-name": randName(t), "x-waiter-async-check-interval": "200",
		"x-waiter-concurrency-level":     "4",
		"x-waiter-async-request-timeout": "10000", "x-kitchen-delay-ms": processing,
		"x-kitchen-store-async-response-ms": "20000"}
}

var statusLocation = regexp.MustCompile(`^/waiter-async/status/([0-9a-f]{32})/acceptance-shared/([^/]+)/127\.0\.0\.1/(\d+)/async/status\?request-id=[-0-9a-f]+$`)

// startAsync makes the async request and checks the rewritten Location.
func startAsync(t *testing.T, rt *router, h map[string]string) (id, status string, r response) {
	t.Helper()
	id = rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	r = rt.kitchenAt(http.MethodGet, "/async/request", h, nil)
	expectStatus(t, r, http.StatusAccepted)
	status = r.Header.Get("Location")
	m := statusLocation.FindStringSubmatch(status)
	if m == nil {
		t.Fatalf("Location %q is not the router's status URL for the instance's /async/status", status)
	}
	if m[2] != id {
		t.Errorf("status URL names service %s, want %s", m[2], id)
	}
	return id, status, r
}

func TestSimpleAsyncRequest(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	// The kitchen's 4 s of work starts when it answers 202; the first
	// status check below must come before it ends. With 1.5 s, a loaded CI
	// runner's check came after it (a 303 where "Still processing" was
	// due). 4 s still leaves the 303, three of the router's checks and the
	// fetch well inside the 10 s async timeout.
	h := asyncHeaders(t, "4000")
	id, status, accepted := startAsync(t, rt, h)
	waitOutstanding(t, rt, id, 1)

	r := rt.get(status)
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, "Still processing")
	if loc := r.Header.Get("Location"); loc != "" {
		t.Errorf("a running request's status has Location %q", loc)
	}

	var result string
	waitFor(t, "the status to say done (303)", 10*time.Second, 100*time.Millisecond, func() (bool, string) {
		r = rt.get(status)
		result = r.Header.Get("Location")
		return r.Status == http.StatusSeeOther, r.String()
	})
	if !strings.HasPrefix(result, "/waiter-async/result/") || !strings.Contains(result, id) ||
		!strings.Contains(result, "/async/result?request-id=") {
		t.Fatalf("303 Location %q, want the router's result URL for the instance's /async/result", result)
	}
	// A result waiting on the instance keeps it reserved until fetched;
	// the router's own polling sees the same 303.
	first, polls := kitchenRequests(t, rt, h), 0
	waitFor(t, "three more status checks by the router", 10*time.Second, 100*time.Millisecond, func() (bool, string) {
		n := kitchenRequests(t, rt, h)
		polls++ // each /kitchen-state call is a request too
		checks := n - first - polls
		return checks >= 3, fmt.Sprintf("%d status checks since the 303", checks)
	})
	if n := rt.outstanding(t, id); n != 1 {
		t.Errorf("%d outstanding after the 303, want 1 until the result is fetched", n)
	}

	r = rt.get(result)
	expectStatus(t, r, http.StatusOK)
	expectBody(t, r, accepted.Header.Get("x-cid"), `"done":true`)
	waitOutstanding(t, rt, id, 0)
}

func TestCancelSupportedAsyncRequest(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	id, status, _ := startAsync(t, rt, asyncHeaders(t, "15000"))
	waitOutstanding(t, rt, id, 1)
	r := rt.request(http.MethodDelete, status, nil, nil)
	expectStatus(t, r, http.StatusNoContent)
	waitOutstanding(t, rt, id, 0)
	expectStatus(t, rt.get(status), http.StatusGone)
}

func TestCancelUnsupportedAsyncRequest(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	id, status, _ := startAsync(t, rt, asyncHeaders(t, "15000"))
	r := rt.request(http.MethodDelete, status, map[string]string{"x-kitchen-allow-async-cancel": "false"}, nil)
	expectStatus(t, r, http.StatusMethodNotAllowed)
	expectStatus(t, rt.get(status), http.StatusOK)
	if n := rt.outstanding(t, id); n != 1 {
		t.Errorf("%d outstanding after a refused cancel, want 1", n)
	}
}

// The router gives up on an async request after its timeout and releases
// the instance, though the kitchen is still working on it.
func TestAsyncRequestTimeout(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := asyncHeaders(t, "20000")
	h["x-waiter-async-request-timeout"] = "1000"
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	// The router's timeout starts when the instance answers 202, after
	// this and before the 202 reaches the test: timed from after the
	// reply, a loaded runner saw the release "290 ms" after it.
	sent := time.Now()
	expectStatus(t, rt.kitchenAt(http.MethodGet, "/async/request", h, nil), http.StatusAccepted)
	waitOutstanding(t, rt, id, 0)
	if took := time.Since(sent); took < 500*time.Millisecond {
		t.Errorf("released %v after the request was sent, before the 1 s async timeout", took)
	}
}

func Test202ResponseWithoutLocationHeader(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := asyncHeaders(t, "15000")
	h["x-kitchen-exclude-headers"] = "location"
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	r := rt.kitchenAt(http.MethodGet, "/async/request", h, nil)
	expectStatus(t, r, http.StatusAccepted)
	if loc := r.Header.Get("Location"); loc != "" {
		t.Errorf("Location %q on a 202 without one", loc)
	}
	waitOutstanding(t, rt, id, 0)
}

// The async routes follow only requests the router started, at their
// instance: they cannot be pointed at another address.
func TestAsyncRoutesRefuseForeignRequests(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	id, status, _ := startAsync(t, rt, asyncHeaders(t, "15000"))
	m := statusLocation.FindStringSubmatch(status)
	moved := strings.Replace(status, "/127.0.0.1/"+m[3]+"/", "/127.0.0.1/22/", 1)
	expectStatus(t, rt.get(moved), http.StatusBadRequest)
	unknown := strings.Replace(status, m[1], strings.Repeat("0", 32), 1)
	expectStatus(t, rt.get(unknown), http.StatusGone)
	expectStatus(t, anonymous(rt, http.MethodGet, status, nil), http.StatusUnauthorized)
	r := rt.request(http.MethodDelete, status, nil, nil)
	expectStatus(t, r, http.StatusNoContent)
	waitOutstanding(t, rt, id, 0)
}

// kitchenRequests is the kitchen's count of HTTP requests it answered.
// It asks with h's Waiter headers only: the kitchen would apply h's
// x-kitchen-delay-ms to this request as well.
func kitchenRequests(t *testing.T, rt *router, h map[string]string) int {
	t.Helper()
	waiterOnly := make(map[string]string, len(h))
	for k, v := range h {
		if !strings.HasPrefix(k, "x-kitchen-") {
			waiterOnly[k] = v
		}
	}
	r := rt.kitchenAt(http.MethodGet, "/kitchen-state", waiterOnly, nil)
	expectStatus(t, r, http.StatusOK)
	var st struct {
		Total int `json:"total-http-requests"`
	}
	r.json(t, &st)
	return st.Total
}
