package acceptance

import (
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"
)

// Ports of request_timeout_test.clj's test-request-queue-timeout-slow-start-app
// and busy_instance_test.clj's test-max-queue-length.

// detail finds "key: value" (or Waiter's "key value") in a text error body.
func detail(body, key string) (string, bool) {
	m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(key) + `:?\s+(\S+)\s*$`).FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// A request to a service that starts slower than x-waiter-queue-timeout
// gets 503 "After N seconds, no instance available to handle request."
// after N seconds, with the service's queue in the details.
func TestQueueTimeoutSlowStart(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	const timeout = 2 * time.Second
	name := randName(t)
	h := map[string]string{"x-waiter-name": name, "x-waiter-queue-timeout": fmt.Sprint(timeout.Milliseconds()),
		"x-waiter-cmd": kitchenCmd(fmt.Sprintf("-p $PORT0 --start-up-sleep-ms %d", (10 * timeout).Milliseconds()))}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	// The hint needs an instance the router knows to be starting; on a
	// loaded machine the first request's 2 s can pass before the scheduler
	// reports it. So the first request starts the service and the second,
	// sent once the instance is known (it stays starting for 20 s), is the
	// one checked.
	rt.kitchen(h)
	waitFor(t, "the starting instance", 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		n := rt.numInstances(t, id)
		return n > 0, fmt.Sprintf("%d instances", n)
	})
	r := rt.kitchen(h)
	expectStatus(t, r, http.StatusServiceUnavailable)
	if r.Took < timeout {
		t.Errorf("the 503 came after %v, before the %v queue timeout", r.Took, timeout)
	}
	expectBody(t, r, fmt.Sprintf("After %d seconds, no instance available to handle request.", int(timeout.Seconds())),
		"Check that your service is able to start properly!", name)
	if v, ok := detail(r.Body, "outstanding-requests"); !ok || v == "0" {
		t.Errorf("outstanding-requests = %q (present %v), want a positive count: %s", v, ok, r)
	}
	if v, ok := detail(r.Body, "waiting-for-available-instance"); !ok || v != "1" {
		t.Errorf("waiting-for-available-instance = %q (present %v), want 1: %s", v, ok, r)
	}
	if v, ok := detail(r.Body, "requests-waiting-to-stream"); !ok || v != "0" {
		t.Errorf("requests-waiting-to-stream = %q (present %v), want 0: %s", v, ok, r)
	}
}

// test-max-queue-length: with max-instances 1 and max-queue-length 1, a
// request that finds the only instance busy and one request already
// queued gets 503 "Max queue length exceeded", naming the service; the
// busy and the queued one succeed. Waiter's test staggers four requests
// 100 ms apart and expects some, not all, refused; here each request is
// sent once the router reports the previous one in flight or queued, so
// exactly the third is refused.
func TestMaxQueueLength(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t), "x-waiter-max-instances": "1",
		"x-waiter-max-queue-length": "1", "x-waiter-distribution-scheme": "simple", "x-kitchen-delay-ms": "4000"}
	// The first request's 4 s must outlast the two waits and the third
	// request below, even on a loaded runner: were it to end first, the
	// queued one would take the instance and the third would be queued.
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	quick := copyHeaders(h)
	delete(quick, "x-kitchen-delay-ms")
	expectStatus(t, rt.kitchen(quick), http.StatusOK)

	metric := func(name string) func() (bool, string) {
		return func() (bool, string) {
			s := rt.serviceSettings(t, id, nil)
			n, _ := nested(s.raw, "request-metrics", name).(float64)
			return n == 1, fmt.Sprintf("request-metrics %v", s.raw["request-metrics"])
		}
	}
	var wg sync.WaitGroup
	accepted := make([]response, 2)
	send := func(i int) {
		wg.Add(1)
		go func() { defer wg.Done(); accepted[i] = rt.kitchen(h) }()
	}
	send(0)
	waitFor(t, "the first request on the instance", 10*time.Second, 20*time.Millisecond, metric("in-flight"))
	send(1)
	waitFor(t, "the second request in the queue", 10*time.Second, 20*time.Millisecond, metric("waiting-for-available-instance"))

	r := rt.kitchen(h)
	expectStatus(t, r, http.StatusServiceUnavailable)
	expectBody(t, r, "Max queue length exceeded", id)
	wg.Wait()
	for i, a := range accepted {
		if a.Err != nil || a.Status != http.StatusOK {
			t.Errorf("request %d (in flight or queued, within the limit): %s", i+1, a)
		}
	}
}
