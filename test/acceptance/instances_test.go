package acceptance

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Ports of request_timeout_test.clj's test-backend-request-errors (an
// instance that dies mid-request, a backend that times out) and of
// instance_reservation_test.clj's load-balancing tests.

// expectBackendHeaders checks the debug headers of a proxied failure:
// the client learns which instance failed it.
func expectBackendHeaders(t testing.TB, r response) {
	t.Helper()
	for _, k := range []string{"x-waiter-backend-id", "x-waiter-backend-host", "x-waiter-backend-port",
		"x-waiter-backend-proto", "x-cid"} {
		if strings.TrimSpace(r.Header.Get(k)) == "" {
			t.Errorf("no %s on the failed response: %v", k, r.Header)
		}
	}
}

// An instance killed mid-request fails that request with 502; the router
// stops using it, the scheduler replaces it, and the next requests succeed.
func TestInstanceKilledMidRequest(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	first := rt.kitchen(h)
	expectStatus(t, first, http.StatusOK)
	dead := first.instanceID()

	// Waiter's test: a delay long enough for the instance to die first.
	die := rt.kitchenAt(http.MethodPost, "/die", map[string]string{"x-waiter-name": h["x-waiter-name"],
		"x-kitchen-delay-ms": "5000"}, nil)
	expectStatus(t, die, http.StatusBadGateway)
	expectBody(t, die, "Request to service backend failed")
	expectBackendHeaders(t, die)
	if die.instanceID() != dead {
		t.Fatalf("/die went to %s, want the only instance %s", die.instanceID(), dead)
	}

	for i := range 5 {
		r := rt.kitchen(h)
		expectStatus(t, r, http.StatusOK)
		if r.instanceID() == dead || r.instanceID() == "" {
			t.Fatalf("request %d after the crash served by %q, want a replacement of %s", i, r.instanceID(), dead)
		}
	}
	waitFor(t, "the crashed instance among the failed ones", 20*time.Second, 100*time.Millisecond, func() (bool, string) {
		s := rt.serviceSettings(t, id, nil)
		for _, in := range s.Instances.Failed {
			if in.ID == dead {
				return true, ""
			}
		}
		return false, fmt.Sprintf("failed instances %v", s.Instances.Failed)
	})
}

// test-backend-request-errors, backend timeout: x-waiter-timeout shorter
// than the backend's delay is a 504 naming the instance.
func TestBackendRequestTimeout(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t)}
	rt.cleanupService(t, rt.serviceIDOf(t, kitchenHeaders(h)))
	expectStatus(t, rt.kitchen(h), http.StatusOK)
	r := rt.kitchen(map[string]string{"x-waiter-name": h["x-waiter-name"], "x-waiter-timeout": "1000",
		"x-kitchen-delay-ms": "3000"})
	expectStatus(t, r, http.StatusGatewayTimeout)
	expectBody(t, r, "Request to service backend timed out")
	expectBackendHeaders(t, r)
	if r.Took > 2900*time.Millisecond {
		t.Errorf("the 504 came after %v: the 1 s timeout was not applied", r.Took)
	}
}

// run-load-balancing-test: with two instances, every request of a
// sequence goes to the oldest (or the youngest) one.
func TestLoadBalancing(t *testing.T) {
	t.Parallel()
	for _, lb := range []string{"oldest", "youngest"} {
		t.Run(lb, func(t *testing.T) {
			t.Parallel()
			rt := sharedRouter(t)
			h := map[string]string{"x-waiter-concurrency-level": "300", "x-waiter-load-balancing": lb,
				"x-waiter-max-instances": "2", "x-waiter-min-instances": "2", "x-waiter-name": randName(t),
				"x-waiter-scale-down-factor": "0.001", "x-waiter-scale-up-factor": "0.99", "x-kitchen-delay-ms": "2"}
			id := rt.serviceIDOf(t, kitchenHeaders(h))
			rt.cleanupService(t, id)
			expectStatus(t, rt.kitchen(h), http.StatusOK)
			waitFor(t, "2 healthy instances", 30*time.Second, 100*time.Millisecond, func() (bool, string) {
				n := rt.healthyInstances(t, id)
				return n == 2, fmt.Sprintf("%d healthy", n)
			})

			counts := map[string]int{}
			total := 0
			for r := range parallelRequests(4, 25, func() response { return rt.kitchen(h) }) {
				expectStatus(t, r, http.StatusOK)
				counts[r.instanceID()]++
				total++
			}
			sorted := rt.activeInstances(t, id)
			if len(sorted) != 2 {
				t.Fatalf("%d active instances, want 2", len(sorted))
			}
			want := sorted[0].ID
			if lb == "youngest" {
				want = sorted[1].ID
			}
			if counts[want] != total {
				t.Errorf("load-balancing %s: requests per instance %v, want all %d on %s", lb, counts, total, want)
			}
		})
	}
}
