package waiterhttp

import (
	"bytes"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/h1resp"
	"github.com/waiter-go/waiter/internal/h1serve"
	"github.com/waiter-go/waiter/internal/headername"
)

// RelayHead appends to dst the head of the instance's answer, its status
// and fields as parsed (a Content-Length body of length bytes, or -1 for
// another framing), as the client gets it, when that answer can pass as
// it came: the head with the proxy's edits made line by line (hop-by-hop
// fields dropped, Via and X-Cid added, as answerHead makes them on a
// map), the body as it is (h1serve.RelaysAsIs). closeAfter: the
// connection closes after the answer. The answer is then the call's, as
// after Answer; the front passes the body's bytes on as they come.
//
// ok false: the answer needs the map and the framing of Answer (another
// framing, no Content-Type, a HEAD, debug headers, an async 202, a Via
// to extend, a Connection naming fields, headers the router set
// already, more fields than relayMaxFields); nothing was done.
//
// Both ways give the client the same answer, field order apart
// (TestEventLoopAnswersAsGoroutineFront compares them).
func (c *LoopCall) RelayHead(dst []byte, status int, fields []h1resp.Field, length int64) (_ []byte, closeAfter, ok bool) {
	s, r := c.s, c.r
	if c.ri.debug || status == http.StatusAccepted || len(fields) > relayMaxFields ||
		s.via11 == "" || s.via(r) != s.via11 {
		return dst, false, false
	}
	// The router's own header so far: the correlation id, and a login's
	// cookies (which copyResponseHeaders puts before the instance's).
	own := c.w.Header()
	cookies := own["Set-Cookie"]
	if _, cid := own[canonCID]; !cid || len(own) != 1+min(len(cookies), 1) {
		return dst, false, false
	}
	var kinds [relayMaxFields]relayKind
	var hasType, hasDate bool
	for i, f := range fields {
		kinds[i] = relayKindOf(f.Name, f.Value)
		switch kinds[i] {
		case relayRefuse:
			return dst, false, false
		case relayType:
			hasType = true
		case relayDate:
			hasDate = true
		}
	}
	if !h1serve.RelaysAsIs(r, status, length, hasType) {
		return dst, false, false
	}
	if !c.sent.IsZero() {
		c.dbg.backend = c.s.clock.Since(c.sent)
	}
	c.dbg.proto = "HTTP/1.1"
	dst = h1serve.AppendStatusLine(dst, status)
	for _, v := range cookies {
		dst = append(dst, "Set-Cookie: "...)
		dst = append(dst, v...)
		dst = append(dst, "\r\n"...)
	}
	for i, f := range fields {
		if kinds[i] == relayDrop {
			continue
		}
		dst = append(dst, f.Name...)
		dst = append(dst, ": "...)
		dst = append(dst, f.Value...)
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, "Via: "...)
	dst = append(dst, s.via11...)
	dst = append(dst, "\r\nX-Cid: "...)
	dst = append(dst, c.ri.cid...)
	dst = append(dst, "\r\n"...)
	if !hasDate {
		dst = h1serve.AppendDate(dst)
	}
	if r.Close {
		dst = append(dst, "Connection: close\r\n"...)
	}
	dst = append(dst, "\r\n"...)

	// What answerHead does besides the header.
	c.outcome, c.held = engine.OutcomeSuccess, false
	if status == http.StatusServiceUnavailable {
		c.outcome = engine.OutcomeInstanceBusy
	}
	if s.cfg.AccessLog != nil {
		c.ri.note(c.dbg)
		c.rec.status = status
	}
	s.metrics.response(c.rs.desc.ID, status)
	return dst, r.Close, true
}

// relayMaxFields bounds the fields of an answer RelayHead passes on
// (its notes on them are on the stack); a longer head takes Answer.
const relayMaxFields = 32

// relayKind is what RelayHead does with one field of an answer.
type relayKind uint8

const (
	relayKeep   relayKind = iota
	relayDrop             // hop-by-hop, or X-Cid (the router's replaces it)
	relayType             // Content-Type: kept
	relayDate             // Date: kept
	relayRefuse           // the answer needs Answer
)

// relayKindOf classifies an answer's field as answerHead treats it
// (copyResponseHeaders, removeHopHeaders, the Via and X-Cid it sets) and
// the server's framing after it (a value the server would trim
// differently is refused).
func relayKindOf(name, value []byte) relayKind {
	if n := len(value); n > 0 && (value[0] >= utf8.RuneSelf || value[n-1] >= utf8.RuneSelf) {
		return relayRefuse // cleanValue's strings.TrimSpace trims Unicode spaces too
	}
	switch {
	case headername.EqualLower(name, "content-type"):
		return relayType
	case headername.EqualLower(name, "date"):
		return relayDate
	case headername.EqualLower(name, "connection"):
		if namesOnlyItself(value) {
			return relayDrop
		}
		return relayRefuse // it names fields to drop too
	case headername.EqualLower(name, "via"):
		return relayRefuse // extended, not replaced
	case headername.EqualLower(name, hdrCID):
		return relayDrop
	}
	for _, h := range hopHeadersLower {
		if headername.EqualLower(name, h) {
			return relayDrop
		}
	}
	return relayKeep
}

// hopHeadersLower are hopHeaders in lower case, for EqualLower.
var hopHeadersLower = func() []string {
	out := make([]string, len(hopHeaders))
	for i, h := range hopHeaders {
		out[i] = strings.ToLower(h)
	}
	return out
}()

// namesOnlyItself: a Connection value of close and keep-alive options
// only, naming no other field (removeHopHeaders deletes those).
func namesOnlyItself(v []byte) bool {
	for opt := range bytes.SplitSeq(v, []byte(",")) {
		opt = bytes.Trim(opt, " \t")
		if len(opt) > 0 && !headername.EqualLower(opt, "close") && !headername.EqualLower(opt, "keep-alive") {
			return false
		}
	}
	return true
}
