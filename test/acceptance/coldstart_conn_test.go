package acceptance

import (
	"net/http"
	"testing"
)

// A cold start's first request travels on the connection of the health
// check that found the instance ready (internal/warmconn): it is the
// second request that connection carried, the check being the first.
// The count is the kitchen's, per connection, so a check that timed out
// on a loaded machine (and took its connection with it) does not change
// it. The first request of a new service is served by the goroutine
// front (it stores the description); a cold start of the same service
// after its delete is the event loop's when the loop can authenticate the
// caller at once.
func TestColdStartTakesTheHealthChecksConnection(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := kitchenHeaders(map[string]string{"x-waiter-name": randName(t), "x-waiter-cmd": kitchenCmd("-p $PORT0 --keep-alive")})
	id := rt.serviceIDOf(t, h)
	rt.cleanupService(t, id)
	for _, round := range []string{"a new service", "the service started again after its delete"} {
		r := rt.request(http.MethodGet, "/request-info", h, nil)
		expectStatus(t, r, http.StatusOK)
		var info struct {
			OnConnection int `json:"connection-requests"`
		}
		r.json(t, &info)
		if info.OnConnection != 2 {
			t.Errorf("%s: the first request was request %d of its connection to the new instance, want 2 (after the health check)",
				round, info.OnConnection)
		}
		rt.deleteService(t, id)
	}
}
