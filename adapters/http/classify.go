package waiterhttp

import (
	"net/http"
	"strings"

	"github.com/waiter-go/waiter/internal/headername"
)

// apiPaths are always Waiter API calls, whatever the headers say
// (waiter-request?-factory in core.clj).
var apiPaths = map[string]bool{
	"/app-name": true, "/service-id": true, "/token": true, "/waiter-ping": true,
	"/.well-known/auth/expires-at": true, "/.well-known/auth/keep-alive": true,
}

// isAPIPathPattern reports a path matching
// ^/waiter-(async/(v2/)?(complete|result|status)/|auth/|consent|interstitial),
// the other reserved paths, without a regexp: every request is classified,
// some more than once (the profile had the regexp at 2-4 % of a proxied
// request's CPU, and its argument escaping cost the fast front two
// allocations per head). TestAPIPathPatternMatchesRegexp holds it to the
// regexp.
func isAPIPathPattern(path string) bool {
	rest, ok := strings.CutPrefix(path, "/waiter-")
	if !ok {
		return false
	}
	if strings.HasPrefix(rest, "auth/") || strings.HasPrefix(rest, "consent") || strings.HasPrefix(rest, "interstitial") {
		return true
	}
	rest, ok = strings.CutPrefix(rest, "async/")
	if !ok {
		return false
	}
	rest = strings.TrimPrefix(rest, "v2/")
	return strings.HasPrefix(rest, "complete/") || strings.HasPrefix(rest, "result/") || strings.HasPrefix(rest, "status/")
}

// classifier decides API call versus proxied request (reference 1.1).
type classifier struct {
	own map[string]bool
}

func newClassifier(hostnames []string) classifier {
	own := map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}
	for _, h := range hostnames {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			own[hostname(h)] = true
		}
	}
	return classifier{own: own}
}

// isAPI: a reserved path, or a request addressed to the router itself
// (blank Host or one of its hostnames) that carries no x-waiter-* header
// other than x-waiter-debug. Everything else names a service.
func (c classifier) isAPI(r *http.Request) bool {
	return c.isAPIParts(r.URL.Path, r.Host, func() bool { return hasServiceHeaders(r.Header) })
}

// isAPIParts is isAPI on a request's parts (the fast front routes raw
// heads with it); service is asked only when the answer depends on it.
func (c classifier) isAPIParts(path, host string, service func() bool) bool {
	if apiPaths[path] || isAPIPathPattern(path) {
		return true
	}
	if h := hostname(host); h != "" && !c.own[h] {
		return false
	}
	return !service()
}

// hostToken returns the token a Host header names: its hostname, unless
// that is the router's own.
func (c classifier) hostToken(r *http.Request) string {
	h := hostname(r.Host)
	if h == "" || c.own[h] {
		return ""
	}
	return h
}

// isOwnHost reports whether name is one of the router's hostnames.
func (c classifier) isOwnHost(name string) bool { return c.own[strings.ToLower(name)] }

// hasServiceHeaders reports an x-waiter-* header other than x-waiter-debug.
func hasServiceHeaders(h http.Header) bool {
	for k := range h {
		if headername.HasWaiterPrefix(k) && !strings.EqualFold(k, hdrDebug) {
			return true
		}
	}
	return false
}

// hostname strips the port (and IPv6 brackets) from a Host value.
func hostname(host string) string {
	host = strings.ToLower(strings.TrimSpace(host))
	if host == "" {
		return ""
	}
	if h, ok := splitHost(host); ok {
		return h
	}
	return strings.Trim(host, "[]")
}

// splitHost is net.SplitHostPort's host and whether it succeeds, without
// its error: the error keeps the address, so SplitHostPort's argument
// escapes, and with it every Host the fast front routes (an allocation
// per head). FuzzSplitHost holds it to SplitHostPort.
func splitHost(hostport string) (string, bool) {
	i := strings.LastIndexByte(hostport, ':')
	if i < 0 {
		return "", false
	}
	var host string
	j, k := 0, 0
	if hostport[0] == '[' {
		end := strings.IndexByte(hostport, ']')
		if end < 0 || end+1 != i {
			return "", false
		}
		host = hostport[1:end]
		j, k = 1, end+1
	} else {
		host = hostport[:i]
		if strings.IndexByte(host, ':') >= 0 {
			return "", false
		}
	}
	if strings.IndexByte(hostport[j:], '[') >= 0 || strings.IndexByte(hostport[k:], ']') >= 0 {
		return "", false
	}
	return host, true
}
