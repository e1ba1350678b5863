package waiterhttp

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// originPolicy decides which web pages may call the router's mutating
// API from a browser. A page on another origin can make a browser send a
// "simple" cross-origin POST (text/plain, a form) with the user's
// credentials; refusing foreign origins (and non-JSON bodies, see
// content_type.go) is what keeps such a page from writing tokens or
// deleting services in the user's name. Waiter's pattern-based CORS
// validator allows the same origin and configured origins and refuses
// the rest with 403 "Cross-origin request not allowed".
type originPolicy struct {
	// allowed are canonical origins (scheme://host[:port], default port
	// dropped) from the configuration's cors-allowed-origins.
	allowed map[string]bool
	cls     classifier
}

func newOriginPolicy(origins []string, cls classifier) (originPolicy, error) {
	p := originPolicy{allowed: make(map[string]bool, len(origins)), cls: cls}
	for i, o := range origins {
		c, err := canonicalOrigin(o)
		if err != nil {
			return originPolicy{}, fmt.Errorf("cors-allowed-origins[%d]: %w", i, err)
		}
		p.allowed[c] = true
	}
	return p, nil
}

// canonicalOrigin parses an origin as browsers send it: an http or https
// scheme and a host with an optional port, nothing else. The result is
// lower case without the scheme's default port, so equal origins compare
// equal.
func canonicalOrigin(o string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(o))
	if err != nil {
		return "", fmt.Errorf("origin %q does not parse: %w", o, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("origin %q must be scheme://host[:port] with scheme http or https", o)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == defaultPort(scheme) {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		return scheme + "://" + host + ":" + port, nil
	}
	return scheme + "://" + host, nil
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// listed reports whether origin is one the configuration allows.
func (p originPolicy) listed(origin string) bool {
	c, err := canonicalOrigin(origin)
	return err == nil && p.allowed[c]
}

// sameRouterOrigin reports whether origin is the router itself: the page
// was served from the host and port this request is addressed to, and
// that host is one of the router's own names. The second condition
// matters because a token's Host (a service's page proxied by this
// router) is also "same origin" for /token, which is an API path on any
// Host.
func (p originPolicy) sameRouterOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	reqHost := strings.ToLower(r.Host)
	hostOnly, reqPort, err := net.SplitHostPort(reqHost)
	if err != nil {
		hostOnly, reqPort = strings.Trim(reqHost, "[]"), ""
	}
	if reqPort == "" {
		reqPort = defaultPort(strings.ToLower(u.Scheme))
	}
	originPort := u.Port()
	if originPort == "" {
		originPort = defaultPort(strings.ToLower(u.Scheme))
	}
	return strings.EqualFold(u.Hostname(), hostOnly) && originPort == reqPort && p.cls.own[hostOnly]
}

// check refuses a state-changing request a browser sent on behalf of a
// page that is neither the router nor an allowed origin. A request
// without Origin comes from a non-browser client (curl, Waiter's CLI) or
// from a page the browser says is this very origin; the browser's
// Sec-Fetch-Site tells which.
func (p originPolicy) check(r *http.Request) *Error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		switch site := r.Header.Get("Sec-Fetch-Site"); site {
		case "cross-site", "same-site":
			return crossOriginError("(none sent; Sec-Fetch-Site: "+site+")", r)
		case "same-origin":
			if !p.cls.own[hostname(r.Host)] {
				return crossOriginError("(none sent; Sec-Fetch-Site: same-origin on host "+r.Host+")", r)
			}
		}
		return nil
	}
	if p.listed(origin) || p.sameRouterOrigin(origin, r) {
		return nil
	}
	return crossOriginError(origin, r)
}

func crossOriginError(origin string, r *http.Request) *Error {
	return &Error{Status: http.StatusForbidden,
		Message: "Cross-origin request not allowed: origin " + origin + " may not " + r.Method + " " + r.URL.Path +
			" (only the router's own origin and cors-allowed-origins may)",
		Details: map[string]any{"origin": origin, "method": r.Method}}
}

// corsMaxAge is how long a browser may cache a preflight answer (Waiter's
// cors-config max-age, 3600 s).
const corsMaxAge = "3600"

// preflight answers a CORS preflight (OPTIONS with Origin and
// Access-Control-Request-Method) for the API: allowed origins get the
// access-control headers that let the browser send the real request;
// others get 403. It reports whether r was a preflight.
func (p originPolicy) preflight(w http.ResponseWriter, r *http.Request) (bool, *Error) {
	origin := r.Header.Get("Origin")
	if r.Method != http.MethodOptions || origin == "" || r.Header.Get("Access-Control-Request-Method") == "" {
		return false, nil
	}
	if !p.listed(origin) && !p.sameRouterOrigin(origin, r) {
		return true, crossOriginError(origin, r)
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, PATCH")
	if hs := r.Header.Get("Access-Control-Request-Headers"); hs != "" {
		h.Set("Access-Control-Allow-Headers", hs)
	}
	h.Set("Access-Control-Max-Age", corsMaxAge)
	h.Add("Vary", "Origin")
	w.WriteHeader(http.StatusOK)
	return true, nil
}

// bless lets an allowed foreign origin's page read the API's answer.
func (p originPolicy) bless(w http.ResponseWriter, r *http.Request) {
	if origin := r.Header.Get("Origin"); origin != "" && p.listed(origin) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
	}
}
