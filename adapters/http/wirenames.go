package waiterhttp

import (
	"net/http"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/h1guard"
)

// parseHeaders reads a request's x-waiter-* headers with their names as
// the client sent them when the listener kept them (HTTP/1.1 through
// internal/h1guard), so that env and metadata take the order Waiter's
// Jetty gives them, which the service id depends on.
func parseHeaders(r *http.Request) (engine.HeaderParams, error) {
	return engine.ParseWireHeaders(r.Header, h1guard.HeaderNames(r.Context()))
}
