package waiterhttp

import (
	"net/http"

	"github.com/valyala/fasthttp"
	"github.com/waiter-go/waiter/internal/headername"
	"github.com/waiter-go/waiter/internal/strarena"
)

// copyFastHeaders adds a fast client answer's headers, but Content-Length
// (the caller sets it from the parsed length), to h, as net/http's
// transport builds a response's header: every value is cut from one
// string, from strs, and every single-value entry from one slice, slots
// when it is large enough; a name is a constant when it is a common one,
// else interned (internal/headername). So an answer costs no allocation
// in the steady state, whatever its header count.
//
// contentLength, when not "", is the Content-Length entry's value (from
// the same slice).
func copyFastHeaders(h http.Header, rh *fasthttp.ResponseHeader, contentLength string, slots []string, strs *strarena.Arena) {
	size, n := 0, 0
	for _, v := range rh.All() {
		size += len(v)
		n++
	}
	all := strs.Bytes(size)[:0]
	for _, v := range rh.All() {
		all = append(all, v...)
	}
	values := strarena.Seal(all)
	if cap(slots) >= n+1 { // +1: Content-Length
		slots = slots[:n+1]
	} else {
		slots = make([]string, n+1)
	}
	at := 0
	for k, v := range rh.All() {
		value := values[at : at+len(v)]
		at += len(v)
		name := commonHeaderName(k)
		if name == "" {
			name = headername.CanonicalBytes(k)
		}
		if name == "Content-Length" {
			continue
		}
		if prior, ok := h[name]; ok {
			h[name] = append(prior, value)
			continue
		}
		slots[0] = value
		h[name] = slots[:1:1]
		slots = slots[1:]
	}
	if contentLength != "" {
		slots[0] = contentLength
		h["Content-Length"] = slots[:1:1]
	}
}

// commonHeaderName is the canonical name of a frequent response header,
// or "" (the switch on string(k) does not allocate).
func commonHeaderName(k []byte) string {
	switch string(k) {
	case "Content-Type":
		return "Content-Type"
	case "Content-Length":
		return "Content-Length"
	case "Date":
		return "Date"
	case "Server":
		return "Server"
	case "Cache-Control":
		return "Cache-Control"
	case "Connection":
		return "Connection"
	case "Content-Encoding":
		return "Content-Encoding"
	case "Etag":
		return "Etag"
	case "Expires":
		return "Expires"
	case "Last-Modified":
		return "Last-Modified"
	case "Location":
		return "Location"
	case "Set-Cookie":
		return "Set-Cookie"
	case "Transfer-Encoding":
		return "Transfer-Encoding"
	case "Vary":
		return "Vary"
	case "Keep-Alive":
		return "Keep-Alive"
	case "Trailer":
		return "Trailer"
	}
	return ""
}
