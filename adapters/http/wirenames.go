package waiterhttp

import (
	"net/http"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/boundedmap"
	"github.com/waiter-go/waiter/internal/h1guard"
)

// parseHeaders reads a request's x-waiter-* headers with their names as
// the client sent them when the listener kept them (HTTP/1.1 through
// internal/h1guard), so that env and metadata take the order Waiter's
// Jetty gives them, which the service id depends on.
//
// A request whose only x-waiter-* header is one x-waiter-token value (the
// usual proxied request) parses the same for the same value: its parse is
// kept (tokenOnlyParses) and shared. The result must not be modified.
func parseHeaders(r *http.Request) (engine.HeaderParams, error) {
	if v, ok := tokenOnly(r.Header); ok && len(v) <= maxCachedTokenValue {
		if hp, ok := tokenOnlyParses.Get(v); ok {
			return hp, nil
		}
		hp, err := engine.ParseWireHeaders(r.Header, h1guard.HeaderNames(r.Context()))
		if err == nil {
			tokenOnlyParses.Put(v, hp)
		}
		return hp, err
	}
	return engine.ParseWireHeaders(r.Header, h1guard.HeaderNames(r.Context()))
}

// tokenOnlyParses are the parses of x-waiter-token values (a pure
// function of the value, so one map serves every server), bounded in
// entries and in the length of a value kept.
var tokenOnlyParses = boundedmap.Map[string, engine.HeaderParams]{Max: 4096}

const maxCachedTokenValue = 256

// tokenOnly returns the value of h's x-waiter-token header when it is h's
// only x-waiter-* header and has one value.
func tokenOnly(h http.Header) (string, bool) {
	var value string
	found := false
	for k, vv := range h {
		if !isWaiterHeader(k) {
			continue
		}
		if found || k != "X-Waiter-Token" || len(vv) != 1 {
			return "", false
		}
		value, found = vv[0], true
	}
	return value, found
}
