package h1guard

import "bytes"

// The guard also keeps what net/http loses of a request head and Waiter
// depends on: the x-waiter-* header names as the client spelled them, in
// the order it sent them. net/http canonicalises names ("x-waiter-env-a"
// becomes "X-Waiter-Env-A"), but Waiter's service id depends on the order
// of env and metadata entries, which for small requests is the iteration
// order of Jetty's java.util.HashSet of the names as sent (engine's
// headerKeyOrder). A request without x-waiter-* headers costs nothing
// here: names are only allocated when one is seen.

// waiterPrefix starts the names kept (case-insensitively).
const waiterPrefix = "x-waiter-"

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
	heads uint64 // heads begun that reach the handler
	skip  bool   // this head is not served by the handler
	cur   []string
	bad   bool
	done  []HeadNames // finished heads with names, not yet taken
}

// begin starts a head at its request line. "OPTIONS *" is answered by
// net/http itself, never by the handler, so it does not count.
func (h *headNames) begin(requestLine []byte) {
	h.cur, h.bad = nil, false
	h.skip = bytes.HasPrefix(requestLine, []byte("OPTIONS * "))
	if !h.skip {
		h.heads++
	}
}

// field notes one header line: name is the part before the colon (when
// ok), line the part of the line kept, long whether there was more.
func (h *headNames) field(line, name []byte, ok, long bool) {
	if h.skip || len(line) < len(waiterPrefix) || !asciiEqualFold(line[:len(waiterPrefix)], waiterPrefix) {
		return
	}
	if !ok {
		// The colon was past the part kept: the name is not whole. (A
		// line without any colon is refused by net/http.)
		h.bad = h.bad || long
		return
	}
	h.cur = append(h.cur, string(name))
}

// end finishes the head at its blank line.
func (h *headNames) end() {
	if h.skip || (h.cur == nil && !h.bad) {
		return
	}
	h.done = append(h.done, HeadNames{Head: h.heads, Names: h.cur, Complete: !h.bad})
	h.cur, h.bad = nil, false
}

// take returns and forgets the finished heads.
func (h *headNames) take() []HeadNames {
	d := h.done
	h.done = nil
	return d
}
