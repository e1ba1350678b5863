package waiterhttp

import (
	"net/http"
	"net/http/httptest"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// A panic of the router's own while a request holds its instance (here
// the transport to the instance panics) ends that request, as net/http,
// h1serve and httprouter end a handler that panics, and gives the slot
// back: kept, the instance would count the request in flight for good,
// and a service of one slot would answer nothing more. The instance is
// not blamed for the router's fault (a client error, no ejection). Both
// holders of a grant: a proxied request, and /waiter-ping's health check.
func TestPanicWhileForwardingGivesTheSlotBack(t *testing.T) {
	for _, path := range []string{"/x", "/waiter-ping"} {
		t.Run(path, func(t *testing.T) {
			e := newTestEdge(t, func(c *Config) {
				c.Transport = roundTripFunc(func(*http.Request) (*http.Response, error) { panic("a bug on the way to the instance") })
			})
			e.router.admit = func(a waiter.Admission) (waiter.Grant, error) {
				return waiter.Grant{Request: 7, Service: a.Description.ID, Instance: "i1", Host: "127.0.0.1", Port: 1}, nil
			}
			r := httptest.NewRequest(http.MethodGet, path, nil)
			for k, v := range kitchenHeaders() {
				r.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			panicked := func() (v any) {
				defer func() { v = recover() }()
				e.srv.ServeHTTP(rec, r)
				return nil
			}()
			// The proxy's panic goes on to the server, which ends the
			// connection; the API's router answers it with a 500.
			if panicked == nil && rec.Code != http.StatusInternalServerError {
				t.Fatalf("the transport's panic neither reached the server nor made a 500 (got %d): the test proves nothing", rec.Code)
			}
			var counted dto.Metric
			if err := e.srv.metrics.panics.Write(&counted); err != nil || counted.GetCounter().GetValue() != 1 {
				t.Errorf("waiter_router_panics_total %v (%v), want 1", counted.GetCounter().GetValue(), err)
			}
			e.router.mu.Lock()
			defer e.router.mu.Unlock()
			if len(e.router.admitted) != 1 || len(e.router.released) != 1 || e.router.released[0] != engine.OutcomeClientError {
				t.Errorf("admitted %d, released %v after the panic; want the grant released once as a client error",
					len(e.router.admitted), e.router.released)
			}
		})
	}
}
