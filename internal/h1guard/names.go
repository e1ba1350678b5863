package h1guard

import (
	"bytes"

	"github.com/waiter-go/waiter/internal/headername"
)

// The guard also keeps what net/http loses of a request head and Waiter
// depends on: the x-waiter-* header names as the client spelled them, in
// the order it sent them. net/http canonicalises names ("x-waiter-env-a"
// becomes "X-Waiter-Env-A"), but Waiter's service id depends on the order
// of env and metadata entries, which for small requests is the iteration
// order of Jetty's java.util.HashSet of the names as sent (engine's
// headerKeyOrder). Only a request with x-waiter-env-*, -metadata-* or
// -param-* headers hands its names over (and allocates them).

// waiterPrefix starts the names kept (case-insensitively).
const waiterPrefix = "x-waiter-"

// orderedPrefixes start the names of the maps whose order Waiter's service
// id depends on (after waiterPrefix): only a head with one of them hands
// its names over. The others (a token, say, on every request of the
// production path) cost a copy into a buffer the connection reuses.
var orderedPrefixes = []string{"env-", "metadata-", "param-"}

// ServiceHeader reports, for a header name in any case, whether it is an
// x-waiter-* header other than x-waiter-debug (service: it describes the
// service) and whether it describes env, metadata or params (ordered:
// the service id depends on the order their names were sent, which only
// a guarded connection keeps). The fronts route heads by it.
func ServiceHeader[T ~string | ~[]byte](name T) (service, ordered bool) {
	if len(name) <= len(waiterPrefix) || !headername.HasWaiterPrefix(name) ||
		headername.EqualLower(name, "x-waiter-debug") {
		return false, false
	}
	rest := name[len(waiterPrefix):]
	for _, p := range orderedPrefixes {
		if len(rest) >= len(p) && headername.EqualLower(rest[:len(p)], p) {
			return true, true
		}
	}
	return true, false
}

// HeadNames is what one request head sent of x-waiter-* header names.
type HeadNames struct {
	// Head is the head's ordinal on its connection (1 for the first
	// request the handler is called for).
	Head uint64
	// Names are the x-waiter-* names as sent, in order, repeats included.
	Names []string
	// Complete is false when a name could not be kept whole (a line
	// longer than the guard keeps): the names are then not to be used.
	Complete bool
}

// headNames collects the names of the head being read and hands the
// finished ones over.
type headNames struct {
	heads   uint64 // heads begun that reach the handler
	skip    bool   // this head is not served by the handler
	bad     bool   // a name was not kept whole
	ordered bool   // a name of an ordered map was seen
	// The names of the head so far, end to end in buf, each ending at
	// its ends entry; both start in the inline arrays and are reused.
	buf     []byte
	ends    []int
	inline  [128]byte
	inlineE [8]int
	done    []HeadNames // finished heads with ordered names, not yet taken
}

// begin starts a head at its request line. "OPTIONS *" is answered by
// net/http itself, never by the handler, so it does not count.
func (h *headNames) begin(requestLine []byte) {
	if h.buf == nil {
		h.buf, h.ends = h.inline[:0], h.inlineE[:0]
	}
	h.buf, h.ends, h.bad, h.ordered = h.buf[:0], h.ends[:0], false, false
	h.skip = bytes.HasPrefix(requestLine, []byte("OPTIONS * "))
	if !h.skip {
		h.heads++
	}
}

// field notes one header line: name is the part before the colon (when
// ok), line the part of the line kept, long whether there was more.
func (h *headNames) field(line, name []byte, ok, long bool) {
	if h.skip || len(line) < len(waiterPrefix) || !headername.EqualLower(line[:len(waiterPrefix)], waiterPrefix) {
		return
	}
	if !ok {
		// The colon was past the part kept: the name is not whole. (A
		// line without any colon is refused by net/http.)
		h.bad = h.bad || long
		return
	}
	if rest := name[len(waiterPrefix):]; !h.ordered {
		for _, p := range orderedPrefixes {
			if len(rest) >= len(p) && headername.EqualLower(rest[:len(p)], p) {
				h.ordered = true
			}
		}
	}
	h.buf = append(h.buf, name...)
	h.ends = append(h.ends, len(h.buf))
}

// end finishes the head at its blank line.
func (h *headNames) end() {
	if h.skip || !h.ordered {
		return
	}
	names := make([]string, len(h.ends))
	start := 0
	for i, end := range h.ends {
		names[i] = string(h.buf[start:end])
		start = end
	}
	h.done = append(h.done, HeadNames{Head: h.heads, Names: names, Complete: !h.bad})
}

// take returns and forgets the finished heads.
func (h *headNames) take() []HeadNames {
	d := h.done
	h.done = nil
	return d
}
