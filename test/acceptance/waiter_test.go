package acceptance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/user"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Waiter's client tools (waiter/src/waiter/util/client_tools.clj) for the
// tests: kitchen requests, names, services and their clean-up, waits.

var (
	bins   binaries // the binaries under test
	shared *router  // the router the tests share
)

// sharedRouter is the router most tests use.
func sharedRouter(t testing.TB) *router {
	t.Helper()
	if shared == nil {
		t.Fatal("the shared router is not running")
	}
	return shared
}

// currentUser is the requester: the suite's token names the OS user, who
// is also the user `waiter serve` runs as.
func currentUser(t testing.TB) string {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatalf("current user: %v", err)
	}
	return u.Username
}

// kitchenCmd is the command line of the kitchen built for this run.
func kitchenCmd(args string) string { return bins.kitchen + " " + args }

// kitchenParams is Waiter's kitchen-params: a complete on-the-fly kitchen
// service description.
func kitchenParams() map[string]any {
	return map[string]any{
		"cmd-type": "shell", "cmd": kitchenCmd("-p $PORT0"), "cpus": 0.1, "grace-period-secs": 120,
		"health-check-url": "/status", "idle-timeout-mins": 10, "mem": 256, "metric-group": "waiter_test",
		"min-instances": 1, "version": "version-does-not-matter",
	}
}

// kitchenHeaders is make-kitchen-request's headers: kitchen-params as
// x-waiter-* headers, x-waiter-debug, then extra (an empty value removes
// a default).
func kitchenHeaders(extra map[string]string) map[string]string {
	h := map[string]string{"x-waiter-debug": "true"}
	for k, v := range kitchenParams() {
		h["x-waiter-"+k] = fmt.Sprint(v)
	}
	for k, v := range extra {
		if v == "" {
			delete(h, k)
			continue
		}
		h[k] = v
	}
	return h
}

// kitchen is make-kitchen-request: POST /endpoint to an on-the-fly
// kitchen service.
func (rt *router) kitchen(extra map[string]string) response {
	return rt.request(http.MethodPost, "/endpoint", kitchenHeaders(extra), nil)
}

// kitchenAt is make-kitchen-request with a method, path and body.
func (rt *router) kitchenAt(method, path string, extra map[string]string, body io.Reader) response {
	return rt.request(method, path, kitchenHeaders(extra), body)
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// randName is Waiter's rand-name: a short form of the test's name and
// the time, unique per call, lowercase letters and digits only.
func randName(t testing.TB) string {
	var acr strings.Builder
	for _, part := range strings.FieldsFunc(t.Name(), func(r rune) bool { return r == '/' || r == '_' || r == '-' }) {
		// TestFooBar -> tfb: the capitals of each part.
		for i, r := range part {
			if i == 0 || (r >= 'A' && r <= 'Z') {
				acr.WriteRune(r)
			}
		}
	}
	return nonAlnum.ReplaceAllString(strings.ToLower(acr.String()), "") + fmt.Sprint(time.Now().UnixNano())
}

// serviceIDOf is retrieve-service-id: GET /service-id with the headers.
func (rt *router) serviceIDOf(t testing.TB, headers map[string]string) string {
	t.Helper()
	r := rt.request(http.MethodGet, "/service-id", headers, nil)
	expectStatus(t, r, http.StatusOK)
	return strings.TrimSpace(r.Body)
}

// deleteService is Waiter's delete-service: DELETE /apps/{id}, retried
// until it succeeds or the service does not exist. It reports a failure
// but never stops the test (it runs in cleanups).
func (rt *router) deleteService(t testing.TB, id string) {
	t.Helper()
	if id == "" {
		return
	}
	var last response
	for range 5 {
		last = rt.request(http.MethodDelete, "/apps/"+id+"?force=true", nil, nil)
		var out struct {
			Success bool   `json:"success"`
			Result  string `json:"result"`
		}
		if last.Err == nil && json.Unmarshal([]byte(last.Body), &out) == nil &&
			(out.Success || out.Result == "no-such-service-exists") {
			return
		}
		time.Sleep(250 * time.Millisecond) // Waiter's retry-strategy delay
	}
	t.Errorf("cannot delete service %s: %s", id, last)
}

// cleanupService deletes the service when the test ends, pass or fail.
func (rt *router) cleanupService(t testing.TB, id string) {
	t.Helper()
	if id == "" {
		t.Fatal("no service id to clean up")
	}
	t.Cleanup(func() { rt.deleteService(t, id) })
}

// waitFor polls cond every interval until it holds or timeout passes,
// then fails the test with cond's last description of the state. It is
// the suite's only way to wait: never a bare sleep.
func waitFor(t testing.TB, what string, timeout, interval time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; last state: %s", timeout, what, state)
		}
		time.Sleep(interval)
	}
}

// parallelRequests is Waiter's parallelize-requests: nthreads goroutines
// each make niters requests, 100 ms apart; every response is sent on the
// returned channel, which is closed when all are done.
func parallelRequests(nthreads, niters int, f func() response) <-chan response {
	out := make(chan response, nthreads*niters)
	var wg sync.WaitGroup
	for range nthreads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range niters {
				if i > 0 {
					time.Sleep(100 * time.Millisecond) // Waiter's pacing between a thread's requests
				}
				out <- f()
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()
	return out
}

// jsonBody encodes v as a request body.
func jsonBody(t testing.TB, v any) io.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %v: %v", v, err)
	}
	return bytes.NewReader(b)
}
