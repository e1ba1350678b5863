package acceptance

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// Port of new_app_test.clj's test-new-app-gc: a service idle for its
// idle-timeout-mins is removed, and the next request starts it again.
// One minute is the smallest idle timeout there is, so this is the
// suite's longest test; it runs in parallel with all the others.
func TestIdleServiceRemoved(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-idle-timeout-mins": "1", "x-waiter-min-instances": "1", "x-waiter-name": randName(t)}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	// The router's idle time starts at the request's end there, which is
	// after this and before the reply reaches the test: timed from after
	// the reply, a loaded runner saw the removal "43 ms early".
	sent := time.Now()
	expectStatus(t, rt.kitchen(h), http.StatusOK)
	waitFor(t, "the instance", 30*time.Second, 100*time.Millisecond, func() (bool, string) {
		n := rt.numInstances(t, id)
		return n == 1, fmt.Sprintf("%d instances", n)
	})
	waitFor(t, "the idle service to go away", 150*time.Second, time.Second, func() (bool, string) {
		n := rt.numInstances(t, id)
		listed := findApp(rt.listApps(t, nil), id) != nil
		return n == 0 && !listed, fmt.Sprintf("%d instances, listed in /apps: %v", n, listed)
	})
	if idle := time.Since(sent); idle < time.Minute {
		t.Errorf("removed %v after the last request was sent, before its 1 minute idle timeout", idle)
	}

	r := rt.kitchen(h)
	expectStatus(t, r, http.StatusOK)
	if r.serviceID() != id {
		t.Errorf("the restarted service is %s, want %s", r.serviceID(), id)
	}
	if n := rt.numInstances(t, id); n != 1 {
		t.Errorf("%d instances after the restart, want 1", n)
	}
}
