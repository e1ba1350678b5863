package waiterhttp

import (
	"net/http"
	"net/textproto"
	"strings"

	"github.com/waiter-go/waiter/internal/h1serve"
	"github.com/waiter-go/waiter/internal/headername"
)

// backendHeaders are the headers of a request to an instance, not yet
// built: the fast client writes them straight onto the wire request
// (each), where the map backendRequestHeaders makes would be built only
// to be copied there. Both give the same headers (TestBackendHeadersEach).
type backendHeaders struct {
	in http.Header
	// fields, when set, are in's lines in wire order (h1serve.Head.Fields):
	// each walks them, and the instance gets them in that order.
	fields         []h1serve.Field
	cid, user, via string
	auth           string // the service's Authorization to its instances, or ""
	// answer, when set, is where the fast client builds the answer's body
	// and response (forward's, in the allocation it makes anyway).
	answer *fastBody
}

// each calls add for every header backendRequestHeaders(h.in, h.cid,
// h.user, h.via) holds, plus Authorization when set, each value in turn.
func (h *backendHeaders) each(add func(k, v string)) {
	in := h.in
	conn := in["Connection"]
	var via string
	if h.fields != nil {
		for _, f := range h.fields {
			if !h.passes(f.Key, conn) {
				continue
			}
			add(f.Key, f.Value)
		}
	} else {
		for k, vv := range in {
			if !h.passes(k, conn) {
				continue
			}
			for _, v := range vv {
				add(k, v)
			}
		}
	}
	if cookie, ok := keptCookies(in["Cookie"]); ok && !(len(conn) > 0 && namedIn(conn, "Cookie")) {
		add("Cookie", cookie)
	}
	if h.user != "" {
		add(canonAuthPrincipal, h.user)
		add(canonAuthenticated, h.user)
	}
	add(canonCID, h.cid)
	if vv := in[hdrVia]; len(vv) > 0 && vv[0] != "" && !(len(conn) > 0 && namedIn(conn, hdrVia)) {
		via = vv[0] + ", " + h.via
	} else {
		via = h.via
	}
	add(hdrVia, via)
	if _, ok := in["User-Agent"]; !ok || (len(conn) > 0 && namedIn(conn, "User-Agent")) {
		add("User-Agent", "")
	}
	if h.auth != "" {
		add("Authorization", h.auth)
	}
}

// passes reports whether the client's header k goes to the instance as
// it came (each adds the rest, or leaves them out); conn is the client's
// Connection values.
func (h *backendHeaders) passes(k string, conn []string) bool {
	switch {
	case isHopHeader(k), headername.HasWaiterPrefix(k), k == "Authorization", k == "Expect",
		k == hdrVia, k == "Cookie", k == canonCID,
		h.user != "" && (k == canonAuthPrincipal || k == canonAuthenticated),
		len(conn) > 0 && namedIn(conn, k):
		return false
	}
	return true
}

func isHopHeader(k string) bool {
	for _, name := range hopHeaders {
		if k == name {
			return true
		}
	}
	return false
}

// namedIn reports whether the Connection values conn name the header
// k (removeHopHeaders deletes those).
func namedIn(conn []string, k string) bool {
	for _, v := range conn {
		for name := range strings.SplitSeq(v, ",") {
			if name = textproto.TrimString(name); name != "" && http.CanonicalHeaderKey(name) == k {
				return true
			}
		}
	}
	return false
}
