package acceptance

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Ports of autoscaling_test.clj. The factors come in headers, as in
// Waiter's tests, so that the service scales within seconds.

// load keeps n goroutines each making request back to back (Waiter's
// parallelize-requests) until stop is called; stop waits for them and
// returns how many requests failed, with the first failure.
func load(n int, request func() response) (stop func() (int64, string)) {
	var done atomic.Bool
	var failed atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				if r := request(); r.Err != nil || r.Status != http.StatusOK {
					failed.Add(1)
					first.CompareAndSwap(nil, r.String())
				}
			}
		}()
	}
	return func() (int64, string) {
		done.Store(true)
		wg.Wait()
		s, _ := first.Load().(string)
		return failed.Load(), s
	}
}

// test-scaling-healthy-app: concurrency 3 and 9 requests always
// outstanding need exactly 3 instances; without load, back to 1.
func TestScalingHealthyApp(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	const concurrency, target = 3, 3
	h := map[string]string{"x-kitchen-delay-ms": "2000", "x-waiter-concurrency-level": fmt.Sprint(concurrency),
		"x-waiter-scale-up-factor": "0.9", "x-waiter-scale-down-factor": "0.9", "x-waiter-name": randName(t)}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	expectStatus(t, rt.kitchen(h), http.StatusOK)
	waitFor(t, "the first instance", 30*time.Second, 100*time.Millisecond, func() (bool, string) {
		n := rt.numInstances(t, id)
		return n == 1, fmt.Sprintf("%d instances", n)
	})

	stop := load(target*concurrency, func() response { return rt.kitchen(h) })
	most := 0
	waitFor(t, fmt.Sprintf("scaling up to %d instances", target), 60*time.Second, 100*time.Millisecond, func() (bool, string) {
		n := rt.numInstances(t, id)
		most = max(most, n)
		return n == target, fmt.Sprintf("%d instances", n)
	})
	if failed, first := stop(); failed > 0 {
		t.Errorf("%d requests failed under load, first: %s", failed, first)
	}
	if most > target {
		t.Errorf("scaled to %d instances, more than the %d needed", most, target)
	}
	waitFor(t, "scaling back down to 1 instance", 60*time.Second, 100*time.Millisecond, func() (bool, string) {
		n := rt.numInstances(t, id)
		return n == 1, fmt.Sprintf("%d instances", n)
	})
}

// test-scale-factor: scale-factor 0.3 with 10 requests always outstanding
// wants int(10 x 0.3) = 3 instances.
func TestScaleFactor(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	const threads, factor = 10, 0.3
	expected := int(threads * factor)
	h := map[string]string{"x-kitchen-delay-ms": "2000", "x-waiter-max-instances": fmt.Sprint(expected + 1),
		"x-waiter-name": randName(t), "x-waiter-scale-down-factor": "0.001",
		"x-waiter-scale-factor": fmt.Sprint(factor), "x-waiter-scale-up-factor": "0.99"}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	expectStatus(t, rt.kitchen(h), http.StatusOK)

	stop := load(threads, func() response { return rt.kitchen(h) })
	waitFor(t, fmt.Sprintf("%d instances", expected), 60*time.Second, 100*time.Millisecond, func() (bool, string) {
		n := rt.numInstances(t, id)
		return n == expected, fmt.Sprintf("%d instances", n)
	})
	if failed, first := stop(); failed > 0 {
		t.Errorf("%d requests failed under load, first: %s", failed, first)
	}
}
