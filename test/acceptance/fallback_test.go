package acceptance

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

// Port of test-valid-fallback-service-resolution and the first part of
// test-service-fallback-support (token_request_test.clj): while the
// service of a just-edited token starts, requests keep succeeding on the
// previous version's healthy service; once the new one is healthy, they
// go there.
func TestFallbackDuringTokenEdit(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	user := currentUser(t)
	token := tokenName(t)
	name := randName(t)
	version := func(v string, extra map[string]any) map[string]any {
		d := kitchenParams()
		for k, val := range map[string]any{"fallback-period-secs": 300, "name": name + "-" + v,
			"permitted-user": "*", "run-as-user": user, "token": token, "version": "version-" + v} {
			d[k] = val
		}
		for k, val := range extra {
			d[k] = val
		}
		return d
	}
	h := map[string]string{"x-waiter-token": token, "x-waiter-debug": "true"}
	noFallback := map[string]string{"x-waiter-token": token, "x-waiter-fallback-period-secs": "0"}
	rt.cleanupToken(t, token)

	expectStatus(t, rt.postToken(t, version("v1", nil), nil, ""), http.StatusOK)
	id1 := rt.serviceIDOf(t, noFallback)
	rt.cleanupService(t, id1)
	first := rt.request(http.MethodGet, "/hello", h, nil)
	expectStatus(t, first, http.StatusOK)
	if first.serviceID() != id1 {
		t.Fatalf("served by %s, want %s", first.serviceID(), id1)
	}

	// The new version takes seconds to listen: the fallback window.
	const startUp = 4 * time.Second
	expectStatus(t, rt.postToken(t, version("v2", map[string]any{
		"cmd": kitchenCmd(fmt.Sprintf("-p $PORT0 --start-up-sleep-ms %d", startUp.Milliseconds())), "grace-period-secs": 300,
	}), nil, ""), http.StatusOK)
	id2 := rt.serviceIDOf(t, noFallback)
	rt.cleanupService(t, id2)
	if id2 == id1 {
		t.Fatalf("the edited token resolves to the old service %s", id1)
	}
	if got := rt.serviceIDOf(t, h); got != id1 {
		t.Errorf("/service-id during the fallback period = %s, want the healthy previous service %s", got, id1)
	}

	// Every request made while the new service starts is answered, by the
	// old one; the first of them starts the new one in the background.
	edited := time.Now()
	served := 0
	for rt.healthyInstances(t, id2) == 0 {
		if time.Since(edited) > 60*time.Second {
			t.Fatalf("the new service %s never became healthy", id2)
		}
		r := rt.request(http.MethodGet, "/hello", h, nil)
		expectStatus(t, r, http.StatusOK)
		if got := r.serviceID(); got != id1 && got != id2 {
			t.Fatalf("served by %s, want %s (fallback) or %s", got, id1, id2)
		} else if got == id2 {
			break // it turned healthy between the check and the request
		}
		served++
		time.Sleep(100 * time.Millisecond) // pace the requests, as Waiter's test client does
	}
	if served == 0 {
		t.Errorf("no request was served by the old service while the new one started")
	}
	if time.Since(edited) < startUp/2 {
		t.Errorf("the new service was healthy after %v, before its %v start-up: no fallback window was tested",
			time.Since(edited), startUp)
	}
	r := rt.request(http.MethodGet, "/hello", h, nil)
	expectStatus(t, r, http.StatusOK)
	if r.serviceID() != id2 {
		t.Errorf("once the new service is healthy, served by %s, want %s", r.serviceID(), id2)
	}
}
