package h1resp

import (
	"bytes"
	"math"
)

// Framing says how a response body is delimited on the connection.
type Framing uint8

const (
	// BodyNone: no body; the next response starts right after the head
	// (an answer to HEAD, 1xx, 204, 304).
	BodyNone Framing = iota
	// BodyLength: Head.Length bytes follow the head (maybe 0).
	BodyLength
	// BodyChunked: the chunked transfer coding; Chunked finds its end.
	BodyChunked
	// BodyUntilClose: everything until the backend closes the connection.
	BodyUntilClose
)

func (f Framing) String() string {
	switch f {
	case BodyNone:
		return "none"
	case BodyLength:
		return "length"
	case BodyChunked:
		return "chunked"
	case BodyUntilClose:
		return "until-close"
	}
	return "invalid"
}

// Field is a header (or trailer) field line: its name as sent and its
// value without surrounding whitespace, both slices of the parsed bytes.
type Field struct{ Name, Value []byte }

// Head is a parsed response head.
type Head struct {
	N      int     // length of the head in the buffer, status line through the blank line
	Status int     // status code, 100..599
	Minor  int     // HTTP/1.x minor version: 0 or 1
	Fields []Field // field lines in order, slices of the buffer
	Body   Framing // how the body is framed
	Length int64   // body length, for BodyLength
	// Close: the backend closes the connection after this response
	// ("Connection: close", HTTP/1.0 without "Connection: keep-alive",
	// or BodyUntilClose), so it cannot take another request.
	Close bool
}

// ParseHead parses the response head at the start of buf.
//
// While the head is incomplete it returns ok false and a nil error: the
// caller calls it again, from the start of the same head, when more bytes
// have come (it costs a pass over the bytes held, so a head trickling in
// a byte at a time costs quadratic time, bounded by maxHead). A head
// breaking a rule gives an error (one of this package's Err values) as
// soon as its offending line is whole; a head whose end is not within
// maxHead bytes gives ErrHeadTooLarge (a non-positive maxHead refuses
// every head).
//
// headRequest says the request was HEAD: its answer has no body,
// whatever the head says. The framing fields of a head without a body
// are checked all the same: a backend sending them wrong is broken.
//
// The fields are appended to fields[:0], so a caller passing the
// previous h.Fields back parses without allocating. Whatever it returns,
// h.Fields holds that storage; the rest of h means something only when
// ok.
//
// ParseHead knows nothing of CONNECT or Upgrade: what a 2xx answer to
// CONNECT or a 101 means for the connection is the caller's to handle.
func ParseHead(buf []byte, headRequest bool, fields []Field, maxHead int) (h Head, ok bool, err error) {
	h.Fields = fields[:0]
	if maxHead <= 0 {
		return h, false, ErrHeadTooLarge
	}
	limit := min(len(buf), maxHead)
	var fr framing
	for i := 0; ; {
		if h.Status != 0 {
			if name, value, next, ok := plainField(buf[:limit], i); ok {
				if err := fr.add(name, value, h.Minor); err != nil {
					return h, false, err
				}
				h.Fields = append(h.Fields, Field{name, value})
				i = next
				continue
			}
		}
		j := bytes.IndexByte(buf[i:limit], '\n')
		if j < 0 {
			if i == 0 && !bytes.HasPrefix([]byte("HTTP/"), buf[:min(limit, 5)]) {
				// Not HTTP at all (a TLS alert, a banner): say so now
				// rather than when the limit is reached.
				return h, false, ErrStatusLine
			}
			if len(buf) >= maxHead {
				return h, false, ErrHeadTooLarge
			}
			return h, false, nil
		}
		end := i + j // the LF
		if j == 0 || buf[end-1] != '\r' {
			return h, false, ErrBareLF
		}
		line := buf[i : end-1]
		i = end + 1
		switch {
		case h.Status == 0: // the status line (a parsed one is 100 or more)
			if h.Minor, h.Status, err = parseStatusLine(line); err != nil {
				return h, false, err
			}
		case len(line) == 0:
			h.N = i
			fr.finish(&h, headRequest)
			return h, true, nil
		default:
			name, value, err := parseField(line)
			if err != nil {
				return h, false, err
			}
			if err := fr.add(name, value, h.Minor); err != nil {
				return h, false, err
			}
			h.Fields = append(h.Fields, Field{name, value})
		}
	}
}

// ValidStatus reports a status code RFC 9110 (15) defines a class for,
// 100..599. Other codes are invalid, to be taken as a 5xx; a proxy
// answers 502 for them, whichever reader read the answer.
func ValidStatus(code int) bool { return code >= 100 && code <= 599 }

// parseStatusLine parses "HTTP/1.x DDD reason" (RFC 9112 4), the
// reason phrase and the space before it optional.
func parseStatusLine(l []byte) (minor, status int, err error) {
	if !bytes.HasPrefix(l, []byte("HTTP/")) {
		return 0, 0, ErrStatusLine
	}
	sp := bytes.IndexByte(l, ' ')
	if sp < 0 {
		return 0, 0, ErrStatusLine
	}
	switch string(l[5:sp]) {
	case "1.0":
	case "1.1":
		minor = 1
	default:
		return 0, 0, ErrVersion
	}
	code, reason := l[sp+1:], []byte(nil)
	if len(code) > 3 {
		if code[3] != ' ' {
			return 0, 0, ErrStatusLine
		}
		code, reason = code[:3], code[4:]
	}
	if len(code) != 3 {
		return 0, 0, ErrStatusLine
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return 0, 0, ErrStatusLine
		}
		status = status*10 + int(c-'0')
	}
	if !ValidStatus(status) {
		return 0, 0, ErrStatusCode
	}
	for _, c := range reason {
		if badValueByte(c) {
			return 0, 0, ErrStatusLine
		}
	}
	return minor, status, nil
}

// parseField splits a field line (RFC 9112 5) into its token name and
// its value trimmed of OWS. There may be no whitespace before the colon
// (RFC 9112 5.1 says to refuse it) nor at the start of the line
// (obs-fold, or whitespace before the first field: both refused).
func parseField(l []byte) (name, value []byte, err error) {
	if isOWS(l[0]) {
		return nil, nil, ErrObsFold
	}
	colon := bytes.IndexByte(l, ':')
	if colon <= 0 {
		return nil, nil, ErrFieldName
	}
	for _, c := range l[:colon] {
		if !tchar[c] {
			return nil, nil, ErrFieldName
		}
	}
	for _, c := range l[colon+1:] {
		if badValueByte(c) {
			return nil, nil, ErrFieldValue
		}
	}
	return l[:colon], trimOWS(l[colon+1:]), nil
}

// plainField reads the field line at b[i:] in one pass when it is a
// plain one: a token name, a colon, value bytes none of them bad, CRLF.
// That is a line the loop of ParseHead would take whole, with the same
// name and value (it finds its LF first, then parseField checks the
// bytes before it): the common answer's fields are read once, not three
// times. ok is false for any other line (the empty line that ends the
// head, a line not yet whole, a bad one), which ParseHead's loop reads
// and refuses as before, with the same error.
func plainField(b []byte, i int) (name, value []byte, next int, ok bool) {
	j := i
	for j < len(b) && tchar[b[j]] {
		j++
	}
	if j == i || j == len(b) || b[j] != ':' {
		return nil, nil, 0, false
	}
	k := j + 1
	for k < len(b) && valueByte[b[k]] {
		k++
	}
	if k+1 >= len(b) || b[k] != '\r' || b[k+1] != '\n' {
		return nil, nil, 0, false
	}
	return b[i:j], trimOWS(b[j+1 : k]), k + 2, true
}

// framing gathers what a head's fields say about its body and its
// connection.
type framing struct {
	te        bool   // a Transfer-Encoding field (then chunked: nothing else is taken)
	cl        []byte // the first Content-Length element's digits, nil if none
	length    int64
	close     bool // a "close" connection option
	keepAlive bool // a "keep-alive" connection option
}

// add takes one field. It refuses at once what makes the framing
// ambiguous, so the error names the line that did.
func (fr *framing) add(name, value []byte, minor int) error {
	switch {
	case equalFold(name, "transfer-encoding"):
		// Only "chunked", alone: any other coding list is one a
		// recipient could undo differently (RFC 9112 6.1), and an
		// HTTP/1.0 message with Transfer-Encoding has faulty framing.
		switch {
		case minor == 0:
			return errTransferEncoding10
		case fr.te:
			return errTransferEncodings
		case !equalFold(value, "chunked"):
			return ErrTransferEncoding
		case fr.cl != nil:
			return ErrTransferEncodingAndCL
		}
		fr.te = true
	case equalFold(name, "content-length"):
		if fr.te {
			return ErrTransferEncodingAndCL
		}
		return fr.addContentLength(value)
	case equalFold(name, "connection"):
		fr.close = fr.close || hasToken(value, "close")
		fr.keepAlive = fr.keepAlive || hasToken(value, "keep-alive")
	}
	return nil
}

// addContentLength takes a Content-Length value: 1*DIGIT, or a list of
// them. Repeats (in a list or in several fields) are taken only when
// they are the same digits (RFC 9110 8.6; net/http compares the text
// too, so "5" and "05" differ).
func (fr *framing) addContentLength(v []byte) error {
	for {
		elem, rest, more := v, []byte(nil), false
		if i := bytes.IndexByte(v, ','); i >= 0 {
			elem, rest, more = v[:i], v[i+1:], true
		}
		elem = trimOWS(elem)
		if fr.cl == nil {
			n, err := parseLength(elem)
			if err != nil {
				return err
			}
			fr.cl, fr.length = elem, n
		} else if !bytes.Equal(elem, fr.cl) {
			if _, err := parseLength(elem); err != nil {
				return err
			}
			return ErrContentLengthMismatch
		}
		if !more {
			return nil
		}
		v = rest
	}
}

// parseLength parses 1*DIGIT into an int64.
func parseLength(d []byte) (int64, error) {
	if len(d) == 0 {
		return 0, ErrContentLength
	}
	var n int64
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, ErrContentLength
		}
		if n > (math.MaxInt64-int64(c-'0'))/10 {
			return 0, errContentLengthRange
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// finish sets h's framing from the fields once the head is whole (RFC
// 9112 6.3).
func (fr *framing) finish(h *Head, headRequest bool) {
	switch {
	case headRequest || h.Status < 200 || h.Status == 204 || h.Status == 304:
		h.Body = BodyNone
	case fr.te:
		h.Body = BodyChunked
	case fr.cl != nil:
		h.Body, h.Length = BodyLength, fr.length
	default:
		h.Body = BodyUntilClose
	}
	h.Close = fr.close || h.Minor == 0 && !fr.keepAlive || h.Body == BodyUntilClose
}
