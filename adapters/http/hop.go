package waiterhttp

import (
	"net/http"
	"net/textproto"
	"strings"

	"github.com/waiter-go/waiter/internal/headername"
)

// Headers Waiter reads or writes.
const (
	hdrCID             = "x-cid"
	hdrDebug           = "x-waiter-debug"
	hdrToken           = "x-waiter-token"
	hdrVia             = "Via"
	hdrOperationResult = "x-waiter-operation-result"
	hdrAuthPrincipal   = "x-waiter-auth-principal"
	hdrAuthenticated   = "x-waiter-authenticated-principal"
	authCookie         = "x-waiter-auth"
)

// The canonical forms of the headers set on every proxied request, so
// that setting them is a map assignment, not a canonicalization (which
// allocates for a lower-case name) per request.
var (
	canonCID           = http.CanonicalHeaderKey(hdrCID)
	canonAuthPrincipal = http.CanonicalHeaderKey(hdrAuthPrincipal)
	canonAuthenticated = http.CanonicalHeaderKey(hdrAuthenticated)
	canonDebug         = http.CanonicalHeaderKey(hdrDebug)
)

// hopHeaders are meaningful only for one connection and are never
// forwarded, in either direction (RFC 9110 7.6.1 plus Waiter's list in
// process_request.clj).
var hopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Trailers", "Transfer-Encoding", "Upgrade",
}

// removeHopHeaders drops hop-by-hop headers and every header named in
// Connection.
func removeHopHeaders(h http.Header) {
	for _, v := range h.Values("Connection") {
		for _, name := range strings.Split(v, ",") {
			if name = textproto.TrimString(name); name != "" {
				h.Del(name)
			}
		}
	}
	// One look at each of h's few names, not a hashed delete of each of
	// the ten hop-by-hop ones (the names are canonical: a key matches
	// only as written).
	for k := range h {
		if isHopHeader(k) {
			delete(h, k)
		}
	}
}

// backendRequestHeaders makes the headers sent to an instance from the
// client's: passthrough headers only (no x-waiter-*, which describe the
// service, not the request), no hop-by-hop headers, no Authorization or
// Expect (the router authenticated the client itself and answers 100
// Continue itself), no x-waiter-auth cookie; plus who the user is, the
// correlation id and via.
func backendRequestHeaders(in http.Header, cid, user, via string) http.Header {
	out := in.Clone()
	removeHopHeaders(out)
	for k := range out {
		if headername.HasWaiterPrefix(k) {
			delete(out, k)
		}
	}
	out.Del("Authorization")
	out.Del("Expect")
	stripAuthCookie(out)
	if user != "" {
		out[canonAuthPrincipal] = []string{user}
		out[canonAuthenticated] = []string{user}
	}
	out[canonCID] = []string{cid}
	appendVia(out, via)
	if _, ok := out["User-Agent"]; !ok {
		// Go's transport would add its own; the backend should see the
		// client's absence of one instead.
		out["User-Agent"] = []string{""}
	}
	return out
}

// copyResponseHeaders copies a backend response's headers for the client,
// minus hop-by-hop headers and any attempt to set Waiter's auth cookies;
// cookies the router itself set on dst (a fresh login's) are kept.
func copyResponseHeaders(dst, src http.Header) {
	if _, ok := src["Set-Cookie"]; !ok {
		// The common answer sets no cookie: the router's own (a login's
		// x-waiter-auth pair, shared: authcookie.go) stay as they are,
		// where taking them out and adding them back cost a slice and
		// its growth per request.
		own := dst["Set-Cookie"]
		for k, vv := range src {
			dst[k] = vv
		}
		removeHopHeaders(dst)
		if len(own) > 0 {
			dst["Set-Cookie"] = own
		} else {
			delete(dst, "Set-Cookie")
		}
		return
	}
	own := dst.Values("Set-Cookie")
	for k, vv := range src {
		// Shared, not copied: src is the backend response's own map,
		// read-only from here on, and dst's edits below replace or
		// delete entries, never write into a value slice.
		dst[k] = vv
	}
	removeHopHeaders(dst)
	backend := dst.Values("Set-Cookie")
	dst.Del("Set-Cookie")
	for _, c := range own {
		dst.Add("Set-Cookie", c)
	}
	for _, c := range backend {
		if !isAuthCookie(strings.TrimSpace(c)) {
			dst.Add("Set-Cookie", c)
		}
	}
}

// isAuthCookie reports a "name=value" entry of one of Waiter's auth
// cookies, which only the router may set and only the router reads.
func isAuthCookie(entry string) bool {
	return strings.HasPrefix(entry, authCookie+"=") || strings.HasPrefix(entry, authExpiresCookie+"=")
}

// stripAuthCookie removes Waiter's auth cookies (x-waiter-auth and
// x-auth-expires-at) from the Cookie header(s).
func stripAuthCookie(h http.Header) {
	values := h.Values("Cookie")
	if len(values) == 0 {
		return
	}
	h.Del("Cookie")
	if kept, ok := keptCookies(values); ok {
		h.Set("Cookie", kept)
	}
}

// keptCookies is the one Cookie header left of values without Waiter's
// auth cookies; ok is false when none is left.
func keptCookies(values []string) (string, bool) {
	var kept []string
	for _, v := range values {
		for _, c := range strings.Split(v, ";") {
			c = strings.TrimSpace(c)
			if c != "" && !isAuthCookie(c) {
				kept = append(kept, c)
			}
		}
	}
	return strings.Join(kept, "; "), len(kept) > 0
}

// appendVia adds this router to the Via chain.
func appendVia(h http.Header, via string) {
	if prior := h.Get(hdrVia); prior != "" {
		h.Set(hdrVia, prior+", "+via)
		return
	}
	h.Set(hdrVia, via)
}

// via is viaValue, computed once for the usual HTTP/1.1 request.
func (s *Server) via(r *http.Request) string {
	if r.Proto == "HTTP/1.1" && s.via11 != "" {
		return s.via11
	}
	return viaValue(r, s.cfg.Version)
}

// viaValue is "<protocol version> waiter", e.g. "1.1 waiter" (Waiter's
// attach-via-header-middleware adds its git sha, which we have none of).
func viaValue(r *http.Request, version string) string {
	proto := strings.TrimPrefix(r.Proto, "HTTP/")
	if proto == "" {
		proto = "1.1"
	}
	if version != "" {
		return proto + " waiter/" + version
	}
	return proto + " waiter"
}
