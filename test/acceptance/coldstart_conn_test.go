package acceptance

import (
	"net/http"
	"testing"
)

// A cold start's first request travels on the connection of the health
// check that found the instance ready (internal/warmconn): the new
// kitchen has accepted one connection when it answers, the check's,
// where a connection of the request's own would make two. The first
// request of a new service is served by the goroutine front (it stores
// the description); a cold start of the same service after its delete
// is the event loop's when the loop can authenticate the caller at once.
func TestColdStartTakesTheHealthChecksConnection(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := kitchenHeaders(map[string]string{"x-waiter-name": randName(t), "x-waiter-cmd": kitchenCmd("-p $PORT0 --keep-alive")})
	id := rt.serviceIDOf(t, h)
	rt.cleanupService(t, id)
	for _, round := range []string{"a new service", "the service started again after its delete"} {
		r := rt.request(http.MethodGet, "/kitchen-state", h, nil)
		expectStatus(t, r, http.StatusOK)
		var st struct {
			Connections int `json:"total-connections"`
		}
		r.json(t, &st)
		if st.Connections != 1 {
			t.Errorf("%s: the new instance had accepted %d connections when it answered its first request, want 1 (the health check's)",
				round, st.Connections)
		}
		rt.deleteService(t, id)
	}
}
