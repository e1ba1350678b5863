package waiterhttp

import "strings"

// FastMaxBody is the largest request body of a request the router's fast
// HTTP/1.1 front serves (cmd/waiter/internal/serve); a larger or chunked
// one streams through net/http's server. It is the fast backend client's
// bound (fastclient.go), so the two fast paths meet.
const FastMaxBody = fastMaxBody

// Proxied reports whether a request with this raw target (origin form,
// "/path?query"), Host and x-waiter-* headers (other than x-waiter-debug)
// is proxied to a service rather than an API call, by the same rule as
// every request (classifier.isAPI). A target with percent-escapes is
// reported as not proxied: its path must be decoded first, which the
// front leaves to net/http.
func (s *Server) Proxied(target, host string, serviceHeaders bool) bool {
	if !strings.HasPrefix(target, "/") || strings.ContainsRune(target, '%') {
		return false
	}
	path, _, _ := strings.Cut(target, "?")
	return !s.cls.isAPIParts(path, host, func() bool { return serviceHeaders })
}
