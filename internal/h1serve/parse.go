package h1serve

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/waiter-go/waiter/internal/headername"
	"github.com/waiter-go/waiter/internal/strarena"
	"golang.org/x/net/http/httpguts"
)

// The fast head parser. http.ReadRequest costs about a dozen allocations
// per request (the Request, its URL, the header map, the value slices,
// a string per line and per value, the body reader); a plain proxied
// request's head is read here instead into the connection's own Request,
// URL, header map and value slices, with one allocation (the head as a
// string, which every name and value is a substring of).
//
// It takes only the common, unambiguous subset of heads, and gives the
// same result as http.ReadRequest for each (FuzzParseAsReadRequest holds
// it to that): a request line "METHOD /path?query HTTP/1.1" with a token
// method, a path of bytes URL parsing keeps as they are (no escapes) and
// a printable query; CRLF line ends; header lines "Name: value" with a
// token name and a value of printable ASCII or tabs; at most one Host,
// at most one Content-Length (digits only); no Transfer-Encoding or
// Pragma (which ReadRequest rewrites). Anything else (obs-fold, a bare
// LF, a control byte, a head not whole in the read buffer, ...) is left
// unread for http.ReadRequest, which parses it and refuses what it
// refuses, with its errors, exactly as before: this parser never refuses
// a request, so the server answers every malformed one as it did.

// fastHead is what a connection reuses for every head the fast parser
// takes.
type fastHead struct {
	req http.Request
	url url.URL
	// small is the header map of heads of up to smallHeaderLines header
	// lines besides Host (which stays out of the map), big that of longer
	// ones. A Go map made for more than eight entries, or grown past them,
	// is a table of groups for good: a cleared one is still walked,
	// cleared and probed group by group. The common short head keeps to a
	// map of one group, about a third cheaper to fill, look up and range
	// over.
	small, big http.Header
	vals       []string // backing of the header's one-value slices
	// fields are the header lines in the order they came (Head.Fields).
	fields []Field
	body   fixedBody
}

// Field is one header line of a parsed head: its canonical name (the
// header map's key) and its value, as Header holds them.
type Field struct{ Key, Value string }

// smallHeaderLines is the most header lines a map of one group holds.
const smallHeaderLines = 8

// maxFastHeaders bounds the header lines of a head the fast parser takes
// (more go to http.ReadRequest), so the reused value slice stays small.
const maxFastHeaders = 64

// parseFast parses the head buffered at the start of br into h, with
// base's context; it reports false, having read nothing, for a head it
// leaves to http.ReadRequest.
func (h *fastHead) parseFast(br *bufio.Reader, base *http.Request) (*http.Request, bool) {
	return h.parseFastAt(br, base, headEnd(br))
}

// parseFastAt is parseFast with the head's end already found (headEnd).
func (h *fastHead) parseFastAt(br *bufio.Reader, base *http.Request, end int) (*http.Request, bool) {
	if end < 0 {
		return nil, false
	}
	buf, _ := br.Peek(end + 4)
	// A pooled arena: the connection's goroutine holds it only for the
	// parse, as the event loops hold theirs (Head.Strings).
	strs := strarena.Take()
	r, ok := h.parseBytes(buf, end, base, strs, nil)
	strs.Done()
	if !ok {
		return nil, false
	}
	if r.ContentLength > 0 {
		h.body = fixedBody{r: br, left: r.ContentLength}
		r.Body = &h.body
	}
	_, _ = br.Discard(end + 4)
	return r, true
}

// Head parses plain request heads from bytes a front holds itself (the
// router's event loop), with the fast parser: one per connection, its
// request reused by the next head.
type Head struct {
	h fastHead
	// Strings, when set, is the arena the heads' text is cut from (the
	// event loop's own, used by it alone): a chunk of it holds dozens of
	// heads, so a head costs no allocation of its own. Its bytes are never
	// written again, so a string kept past its request stays as it was;
	// what keeps one for long copies it, or it keeps the whole chunk
	// alive (internal/strarena). Nil: a pooled arena, taken for each
	// parse, as the goroutine front's parser does.
	Strings *strarena.Arena
	// Names, when set, is the cache the heads' header names are made
	// canonical through (the event loop's own, used by it alone; see
	// headername.Cache). Nil: the process's table alone.
	Names *headername.Cache
}

// Parse parses the head at the start of buf, which must hold it whole
// (through its empty line), into h's request with base's context. It
// reports the head's length, or false for a head the fast parser leaves
// to http.ReadRequest (parse.go's rules). The request's Body is
// http.NoBody: a caller that holds a body sets its own.
func (h *Head) Parse(buf []byte, base *http.Request) (r *http.Request, n int, ok bool) {
	return h.ParseTo(buf, bytes.Index(buf, crlfcrlf), base)
}

// ParseTo is Parse with the head's end already found: end is the index
// of its empty line's CRLFCRLF in buf (bytes.Index), or -1. A front that
// looked for it to know the head is whole does not look again.
func (h *Head) ParseTo(buf []byte, end int, base *http.Request) (r *http.Request, n int, ok bool) {
	if end < 0 {
		return nil, 0, false
	}
	strs := h.Strings
	if strs == nil {
		strs = strarena.Take()
		defer strs.Done()
	}
	r, ok = h.h.parseBytes(buf, end, base, strs, h.Names)
	return r, end + 4, ok
}

// Fields are the header lines of the head Parse last took, in the order
// they came, Host left out (it is r.Host): the header map's entries, a
// key's values in its order. A front that walks every header (to frame
// what it forwards, or to key a decision) walks these instead of the
// map: a slice in wire order, not a map's buckets in random order. They
// are the request's, and the next Parse reuses them.
func (h *Head) Fields() []Field { return h.h.fields }

// Forget drops what h holds of the head it parsed last (the request, its
// header map's entries, the fields), so that a parser kept idle keeps no
// head's strings, nor the arena chunk they were cut from, alive. The
// maps and slices stay for the next head.
func (h *Head) Forget() {
	f := &h.h
	clear(f.small)
	clear(f.big)
	clear(f.vals)
	clear(f.fields[:cap(f.fields)])
	f.req, f.url, f.body = http.Request{}, url.URL{}, fixedBody{}
	f.fields = f.fields[:0]
}

var crlfcrlf = []byte("\r\n\r\n")

// parseBytes is parseFastAt on the head's bytes, buf[:end+4], its text
// cut from strs, its names made canonical through names (nil: none).
func (h *fastHead) parseBytes(buf []byte, end int, base *http.Request, strs *strarena.Arena, names *headername.Cache) (*http.Request, bool) {
	// Every line of the head (request line and header lines) ends with
	// CRLF; the head ends with an empty line. Every string of the request
	// is cut from the head's text, one string, cut from an arena (the
	// event loop's own, Head.Strings, or a pooled one), so that a head
	// costs no allocation of its own. What the router keeps past a
	// request copies what it keeps (the token cache its name, the parse
	// cache its x-waiter-* headers: engine.HeaderParams.Own); a string kept
	// without a copy keeps the whole chunk of other heads alive, never a
	// wrong value (cmd/waiter/internal/serve's
	// TestKeptStringsKeepNoHeadChunk counts the chunks left after floods).
	s := strs.String(buf[:end+2])

	// The request line.
	eol := indexCRLF(s)
	if eol < 0 {
		return nil, false
	}
	line := s[:eol]
	sp1 := strings.IndexByte(line, ' ')
	if sp1 <= 0 {
		return nil, false
	}
	method := line[:sp1]
	rest := line[sp1+1:]
	sp2 := strings.IndexByte(rest, ' ')
	if sp2 < 0 || rest[sp2+1:] != "HTTP/1.1" {
		return nil, false
	}
	target := rest[:sp2]
	for i := range len(method) {
		if !httpguts.IsTokenRune(rune(method[i])) {
			return nil, false
		}
	}
	path, query, hasQuery := strings.Cut(target, "?")
	if len(path) == 0 || path[0] != '/' {
		return nil, false
	}
	for i := range len(path) {
		if !pathByte(path[i]) {
			return nil, false
		}
	}
	for i := range len(query) {
		if c := query[i]; c <= ' ' || c >= 0x7f {
			return nil, false
		}
	}

	// The header lines: each is read in one pass over its bytes (a name
	// of token bytes up to its colon, then a value of printable bytes up
	// to CRLF), into fields; the map is filled from them once their
	// number is known. The framing headers are recognized by their
	// canonical names as they are read, not looked up in the map after.
	fields, ok := h.fields[:0], false
	var host, length string
	hosts, lengths, conns := 0, 0, false
	for s = s[eol+2:]; s != ""; {
		var f Field
		if f.Key, f.Value, s, ok = headerLine(s, names); !ok || len(fields) == maxFastHeaders {
			return nil, false
		}
		switch f.Key {
		case "Host":
			// Kept out of the map, as http.ReadRequest does (r.Host).
			host, hosts = f.Value, hosts+1
			continue
		case "Transfer-Encoding", "Pragma":
			return nil, false // ReadRequest rewrites these
		case "Content-Length":
			length, lengths = f.Value, lengths+1
		case "Connection":
			conns = conns || httpguts.HeaderValuesContainsToken([]string{f.Value}, "close")
		}
		fields = append(fields, f)
	}
	h.fields = fields
	if hosts != 1 || lengths > 1 {
		// Without a Host: ReadRequest's, whose missing Host h1serve
		// tells from an empty one (hostLineIn). Whether a Host is valid
		// is checked by who serves the request (checkRequest; the event
		// loops' LoopCall once per decision).
		return nil, false
	}
	contentLength, ok := parseContentLength(length, lengths == 1)
	if !ok {
		return nil, false
	}
	hdr := h.header(fields)

	h.url = url.URL{Path: path, RawQuery: query, ForceQuery: hasQuery && query == ""}
	r := &h.req
	*r = *base // the connection's context; everything else zero
	r.Method = method
	r.URL = &h.url
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	r.Header = hdr
	r.RequestURI = target
	r.Host = host
	r.Close = conns
	r.ContentLength = contentLength
	r.Body = http.NoBody
	return r, true
}

// header fills the header map, emptied, with fields: a one-group map
// for a head of up to smallHeaderLines of them, else the table. A name
// is looked up before it is stored only when an earlier field may have
// had it (seen, a bit per headername.Slot of the name): repeats are rare,
// and a store is then one map operation, not two.
func (h *fastHead) header(fields []Field) http.Header {
	var hdr http.Header
	if len(fields) <= smallHeaderLines {
		if h.small == nil {
			h.small = make(http.Header)
		}
		hdr = h.small
	} else {
		if h.big == nil {
			h.big = make(http.Header, 2*smallHeaderLines)
		}
		hdr = h.big
	}
	clear(hdr)
	if h.vals == nil {
		h.vals = make([]string, maxFastHeaders)
	}
	vals := h.vals
	var seen uint64
	for _, f := range fields {
		bit := uint64(1) << (headername.Slot(f.Key) & 63)
		if seen&bit != 0 {
			if vv, ok := hdr[f.Key]; ok {
				hdr[f.Key] = append(vv, f.Value)
				continue
			}
		}
		seen |= bit
		vv := vals[:1:1]
		vals = vals[1:]
		vv[0] = f.Value
		hdr[f.Key] = vv
	}
	return hdr
}

// headerLine reads the header line at the start of s, which ends with
// CRLF: its canonical name (through names, when not nil) and its
// value, spaces and tabs around it trimmed, and what follows the line.
// ok is false for a line the fast parser leaves to http.ReadRequest: a
// name that is empty or not all token bytes, no colon right after it, a
// value byte that is neither printable ASCII nor a tab, a bare CR or LF.
func headerLine(s string, names *headername.Cache) (name, value, rest string, ok bool) {
	i := 0
	for i < len(s) && tokenByte[s[i]] {
		i++
	}
	if i == 0 || i == len(s) || s[i] != ':' {
		return "", "", s, false
	}
	j := i + 1
	for j < len(s) && valueByte[s[j]] {
		j++
	}
	if j+1 >= len(s) || s[j] != '\r' || s[j+1] != '\n' {
		return "", "", s, false
	}
	// The branch stays here, not in a nil-receiver Cache.Canonical: that
	// cost the ten-header head about 20 ns (BenchmarkHeadParse).
	name = s[:i]
	if names != nil {
		name = names.Canonical(name)
	} else {
		name = headername.Canonical(name)
	}
	return name, trimOWS(s[i+1 : j]), s[j+2:], true
}

// parseContentLength is the value of the one Content-Length header
// (present), or 0 without one; ok is false for a value the fast parser
// leaves to http.ReadRequest: empty, longer than 18 digits, or not all
// digits.
func parseContentLength(v string, present bool) (n int64, ok bool) {
	if !present {
		return 0, true
	}
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	for i := range len(v) {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// tokenByte and valueByte are the bytes a header name (RFC 9110's
// token) and a value the fast parser takes (printable ASCII and tabs)
// are made of.
var tokenByte, valueByte = func() (token, value [256]bool) {
	for c := range 256 {
		token[c] = httpguts.IsTokenRune(rune(c))
		value[c] = (c >= ' ' || c == '\t') && c < 0x7f
	}
	return token, value
}()

// pathByte reports a byte URL parsing keeps as it is in a path (neither
// escaped nor unescaped: url.URL's Path is then the target's path and
// RawPath empty).
func pathByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '_', '.', '~', '$', '&', '+', ',', '/', ':', ';', '=', '@':
		return true
	}
	return false
}

// indexCRLF is the index of the first line end of s when it is CRLF;
// -1 when s has a bare CR or LF before it, or none.
func indexCRLF(s string) int {
	for i := range len(s) {
		switch s[i] {
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				return i
			}
			return -1
		case '\n':
			return -1
		}
	}
	return -1
}

// fixedBody is a Content-Length body read from the connection's buffered
// reader, as http.ReadRequest's: io.EOF with its last bytes,
// io.ErrUnexpectedEOF when the connection ends early, and Close reads
// what is left (after which reads fail).
type fixedBody struct {
	r      *bufio.Reader
	left   int64
	closed bool
	err    error
}

func (b *fixedBody) Read(p []byte) (int, error) {
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	switch {
	case b.left == 0:
		err = io.EOF
	case errors.Is(err, io.EOF):
		err = io.ErrUnexpectedEOF
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		b.err = err // the end of the body, or of the connection: for good
	}
	return n, err
}

func (b *fixedBody) Close() error {
	if b.closed {
		return nil
	}
	var err error
	if b.err == nil {
		_, err = io.Copy(io.Discard, b)
	}
	b.closed = true
	return err
}

// trimOWS trims the spaces and tabs around a field value (strings.Trim
// with a cutset builds its set on every call).
func trimOWS(v string) string {
	for v != "" && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for v != "" && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}
