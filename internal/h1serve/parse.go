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
	// lines, big that of longer ones. A Go map made for more than eight
	// entries, or grown past them, is a table of groups for good: a
	// cleared one is still walked, cleared and probed group by group. The
	// common short head keeps to a map of one group, about a third
	// cheaper to fill, look up and range over.
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
	r, ok := h.parseBytes(buf, end, base, strs)
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
}

// Parse parses the head at the start of buf, which must hold it whole
// (through its empty line), into h's request with base's context. It
// reports the head's length, or false for a head the fast parser leaves
// to http.ReadRequest (parse.go's rules). The request's Body is
// http.NoBody: a caller that holds a body sets its own.
func (h *Head) Parse(buf []byte, base *http.Request) (r *http.Request, n int, ok bool) {
	end := bytes.Index(buf, crlfcrlf)
	if end < 0 {
		return nil, 0, false
	}
	strs := h.Strings
	if strs == nil {
		strs = strarena.Take()
		defer strs.Done()
	}
	r, ok = h.h.parseBytes(buf, end, base, strs)
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
// cut from strs.
func (h *fastHead) parseBytes(buf []byte, end int, base *http.Request, strs *strarena.Arena) (*http.Request, bool) {
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

	// The header lines.
	if h.vals == nil {
		h.vals = make([]string, maxFastHeaders)
	}
	hdr := h.headerFor(strings.Count(s[eol+2:], "\n"))
	vals := h.vals
	fields := h.fields[:0]
	var host string
	hosts := 0
	for s = s[eol+2:]; s != ""; {
		eol = indexCRLF(s)
		if eol <= 0 || len(vals) == 0 {
			return nil, false
		}
		line, s = s[:eol], s[eol+2:]
		colon := strings.IndexByte(line, ':')
		if colon <= 0 {
			return nil, false
		}
		name, value := line[:colon], line[colon+1:]
		for i := range len(name) {
			if !httpguts.IsTokenRune(rune(name[i])) {
				return nil, false
			}
		}
		for i := range len(value) {
			if c := value[i]; (c < ' ' && c != '\t') || c >= 0x7f {
				return nil, false
			}
		}
		value = trimOWS(value)
		key := headername.Canonical(name)
		if key == "Host" {
			// Kept out of the map, as http.ReadRequest does (r.Host).
			host, hosts = value, hosts+1
			continue
		}
		fields = append(fields, Field{key, value})
		if vv, ok := hdr[key]; ok {
			hdr[key] = append(vv, value)
			continue
		}
		vv := vals[:1:1]
		vals = vals[1:]
		vv[0] = value
		hdr[key] = vv
	}
	h.fields = fields
	if hosts > 1 || hdr["Transfer-Encoding"] != nil || hdr["Pragma"] != nil {
		return nil, false
	}
	var length int64
	if cl, ok := hdr["Content-Length"]; ok {
		if len(cl) != 1 || len(cl[0]) == 0 || len(cl[0]) > 18 {
			return nil, false
		}
		for i := range len(cl[0]) {
			c := cl[0][i]
			if c < '0' || c > '9' {
				return nil, false
			}
			length = length*10 + int64(c-'0')
		}
	}

	h.url = url.URL{Path: path, RawQuery: query, ForceQuery: hasQuery && query == ""}
	r := &h.req
	*r = *base // the connection's context; everything else zero
	r.Method = method
	r.URL = &h.url
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	r.Header = hdr
	r.RequestURI = target
	if hosts == 1 {
		r.Host = host
	}
	r.Close = httpguts.HeaderValuesContainsToken(hdr["Connection"], "close")
	r.ContentLength = length
	r.Body = http.NoBody
	return r, true
}

// headerFor is the header map, emptied, for a head of lines header
// lines. Host is one of them in nearly every head, and stays out of the
// map (r.Host).
func (h *fastHead) headerFor(lines int) http.Header {
	if len(h.small) > smallHeaderLines {
		h.small = nil // a head without Host grew it: a table now
	}
	if lines <= smallHeaderLines+1 {
		if h.small == nil {
			h.small = make(http.Header)
		}
		clear(h.small)
		return h.small
	}
	if h.big == nil {
		h.big = make(http.Header, 2*smallHeaderLines)
	}
	clear(h.big)
	return h.big
}

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
