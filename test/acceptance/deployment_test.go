package acceptance

import (
	"net/http"
	"testing"
	"time"
)

// Port of deployment_errors_test.clj: a service that cannot start fails
// its requests with 503 "Deployment error: <why>" as soon as two instances
// failed the same way, not after the queue timeout. grace-period-secs is 1
// (Waiter's tests wait out 120 s) so that instances that never turn
// healthy fail within seconds.
func TestDeploymentErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name    string
		headers map[string]string
		message string
	}{
		{"bad startup command", map[string]string{"x-waiter-cmd": "asdf" + kitchenCmd("-p $PORT0")},
			"Invalid startup command"},
		{"cannot connect", map[string]string{"x-waiter-cmd": "sleep 3600", "x-waiter-grace-period-secs": "1"},
			"Unable to connect to run health checks"},
		// The probe gives up after 200 ms; the health check sleeps 5 min.
		{"health check timed out", map[string]string{"x-waiter-health-check-url": "/sleep?sleep-ms=300000&status=400",
			"x-waiter-grace-period-secs": "1"}, "Health check timed out"},
		{"invalid health check response", map[string]string{"x-waiter-health-check-url": "/bad-status?status=402",
			"x-waiter-grace-period-secs": "1"}, "Health check returned an invalid response"},
		{"health check requires authentication", map[string]string{"x-waiter-health-check-url": "/bad-status?status=401"},
			"Health check requires authentication"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rt := sharedRouter(t)
			h := map[string]string{"x-waiter-name": randName(t), "x-waiter-queue-timeout": "600000"}
			for k, v := range c.headers {
				h[k] = v
			}
			id := rt.serviceIDOf(t, kitchenHeaders(h))
			rt.cleanupService(t, id)
			r := rt.kitchen(h)
			expectStatus(t, r, http.StatusServiceUnavailable)
			expectBody(t, r, "Deployment error: "+c.message)
			if r.serviceID() != id {
				t.Errorf("x-waiter-service-id = %q, want %s", r.serviceID(), id)
			}
			if r.Took > 60*time.Second {
				t.Errorf("the deployment error took %v: it must end the wait, not the 600 s queue timeout", r.Took)
			}
			if s := rt.serviceSettings(t, id, nil); s.Status != "Failing" {
				t.Errorf("/apps/%s status %q, want Failing", id, s.Status)
			}
			// Later requests fail at once.
			again := rt.kitchen(h)
			expectStatus(t, again, http.StatusServiceUnavailable)
			expectBody(t, again, "Deployment error: "+c.message)
			if again.Took > 5*time.Second {
				t.Errorf("a request to a failing service took %v, want an immediate 503", again.Took)
			}
		})
	}
}
