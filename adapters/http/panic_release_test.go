package waiterhttp

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// A panic of the router's own while a request holds its instance (here
// the transport to the instance panics) ends that request, as net/http
// and h1serve end a handler that panics, and gives the slot back: kept,
// the instance would count the request in flight for good, and a
// service of one slot would answer nothing more. The instance is not
// blamed for the router's fault (a client error, no ejection).
func TestPanicWhileForwardingGivesTheSlotBack(t *testing.T) {
	e := newTestEdge(t, func(c *Config) {
		c.Transport = roundTripFunc(func(*http.Request) (*http.Response, error) { panic("a bug on the way to the instance") })
	})
	e.router.admit = func(a waiter.Admission) (waiter.Grant, error) {
		return waiter.Grant{Request: 7, Service: a.Description.ID, Instance: "i1", Host: "127.0.0.1", Port: 1}, nil
	}
	r := httptest.NewRequest(http.MethodGet, "/x", nil)
	for k, v := range kitchenHeaders() {
		r.Header.Set(k, v)
	}
	panicked := func() (v any) {
		defer func() { v = recover() }()
		e.srv.ServeHTTP(httptest.NewRecorder(), r)
		return nil
	}()
	if panicked == nil {
		t.Fatal("the transport's panic did not reach the server (the test would prove nothing)")
	}
	e.router.mu.Lock()
	defer e.router.mu.Unlock()
	if len(e.router.released) != 1 || e.router.released[0] != engine.OutcomeClientError {
		t.Errorf("released %v after the panic, want the grant released once as a client error", e.router.released)
	}
}
