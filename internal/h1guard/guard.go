package h1guard

import (
	"bytes"
	"strconv"

	"github.com/waiter-go/waiter/internal/headername"
)

// maxLine bounds the part of a header line the guard keeps: enough for
// the names and values it reads (Content-Length, Transfer-Encoding,
// Upgrade) and the request line's method and version; the rest of a
// longer line is only counted.
const maxLine = 256

// refusal ends a head early: net/http refuses a negative Content-Length
// with 400 Bad Request and closes the connection.
var refusal = []byte("Content-Length: -1\r\n\r\n")

type state uint8

const (
	stHead      state = iota // in a request head
	stBody                   // in a body of known length (left bytes)
	stChunkSize              // in a chunk-size line
	stChunkData              // in chunk data (left bytes)
	stChunkCRLF              // after chunk data: CR LF expected (left: 2 or 1)
	stTrailer                // in the trailer section after the last chunk
	stPass                   // not HTTP/1.1 any more: bytes pass untouched
	stRefused                // a head was refused: nothing more passes
	stBroken                 // framing the guard cannot follow: nothing more passes
)

// Guard is the state of one connection's request stream. The zero value
// expects a request head.
type Guard struct {
	st   state
	left int64 // bytes left in a body or chunk (stBody, stChunkData, stChunkCRLF)

	line    [maxLine]byte
	lineLen int  // bytes kept of the current line
	lineAll int  // bytes of the current line in all
	lines   int  // lines of the head so far (the request line is 1)
	sawCR   bool // a CR ended the previous byte
	// lineTruncated: the line just ended was longer than maxLine
	lineTruncated bool

	// what the head declared so far
	cl, te  int // Content-Length and Transfer-Encoding lines
	clValue int64
	chunked bool
	upgrade bool
	connect bool
	http10  bool
	pending []byte // the refusal not yet handed to the reader

	// Each guard keeps what its reader uses: a net/http connection's
	// (Conn) the x-waiter-* names as sent, a Split's (stopAtHead) what
	// routes a head.
	names headNames

	// What a Split needs to route a head (split.go); head is the last
	// complete one, cur the one being read.
	cur, head  Head
	stopAtHead bool // Filter returns right after each head (Split)
	headEnded  bool // Filter stopped after a head
}

// Refused reports whether a head was refused on this connection.
func (g *Guard) Refused() bool { return g.st == stRefused }

// betweenRequests reports a guard that has seen whole requests only (no
// head, body or refusal under way): it behaves as a fresh one from here,
// so a Split may give it back (splitWork).
func (g *Guard) betweenRequests() bool {
	return g.st == stHead && g.lines == 0 && g.lineAll == 0 && !g.sawCR && len(g.pending) == 0 && !g.headEnded
}

// Filter passes the n bytes just read into p through the guard and
// returns how many bytes of p the reader may see (the guard may replace
// the tail of p with its refusal) and whether the stream must end after
// them.
func (g *Guard) Filter(p []byte, n int) (int, bool) {
	if len(g.pending) > 0 {
		// The refusal did not fit last time: hand over the rest.
		c := copy(p, g.pending)
		g.pending = g.pending[c:]
		return c, len(g.pending) == 0
	}
	switch g.st {
	case stPass:
		return n, false
	case stRefused, stBroken:
		return 0, true
	}
	i := 0
	for i < n {
		switch g.st {
		case stPass:
			return n, false
		case stBroken:
			return i, true
		case stBody:
			skip := min(int64(n-i), g.left)
			i += int(skip)
			g.left -= skip
			if g.left == 0 {
				g.st = stHead
			}
			continue
		case stChunkData:
			skip := min(int64(n-i), g.left)
			i += int(skip)
			g.left -= skip
			if g.left == 0 {
				g.st, g.left = stChunkCRLF, 2
			}
			continue
		case stChunkCRLF:
			want := byte('\r')
			if g.left == 1 {
				want = '\n'
			}
			if p[i] != want {
				g.st = stBroken
				return i, true
			}
			i++
			g.left--
			if g.left == 0 {
				g.st = stChunkSize
			}
			continue
		}
		// A line: stHead, stChunkSize or stTrailer. Its bytes up to the
		// next LF (or the end of what was read) at once: kept while the
		// line has room, counted, and whether the last was a CR (the
		// byte-at-a-time loop this replaces cost twice as much per head).
		seg := p[i:n]
		if j := bytes.IndexByte(seg, '\n'); j >= 0 {
			seg = seg[:j]
		}
		if len(seg) > 0 {
			g.lineLen += copy(g.line[g.lineLen:], seg)
			g.lineAll += len(seg)
			g.sawCR = seg[len(seg)-1] == '\r'
			i += len(seg)
			continue
		}
		i++ // the LF
		line := g.line[:g.lineLen]
		if g.lineLen > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		empty := g.lineAll == 0 || (g.lineAll == 1 && g.sawCR)
		g.lineTruncated = g.lineAll > maxLine
		g.lineLen, g.lineAll, g.sawCR = 0, 0, false
		switch g.st {
		case stHead:
			if g.headLine(line, empty) {
				// Cut the head here and end it with the refusal.
				g.st = stRefused
				return g.refuse(p, i)
			}
			if g.stopAtHead && g.headEnded {
				return i, false
			}
		case stChunkSize:
			size, ok := chunkSize(line)
			switch {
			case !ok:
				g.st = stBroken
				return i, true
			case size == 0:
				g.st = stTrailer
			default:
				g.st, g.left = stChunkData, size
			}
		case stTrailer:
			if empty {
				g.st = stHead
			}
		}
	}
	return n, false
}

// refuse puts the refusal at p[i:], keeping what does not fit for the
// next read.
func (g *Guard) refuse(p []byte, i int) (int, bool) {
	c := copy(p[i:], refusal)
	if c < len(refusal) {
		g.pending = refusal[c:]
		return i + c, false
	}
	return i + c, true
}

// headLine takes one line of a head and reports whether the head must be
// refused.
func (g *Guard) headLine(line []byte, empty bool) bool {
	if g.lines == 0 {
		if empty {
			return false // empty lines before a request line are ignored (RFC 9112 2.2)
		}
		g.lines = 1
		if g.stopAtHead {
			g.cur.noteLine(line, g.lineTruncated)
		}
		if bytes.HasPrefix(line, []byte("PRI * HTTP/2.0")) {
			g.st = stPass // HTTP/2 with prior knowledge
			return false
		}
		g.connect = bytes.HasPrefix(line, []byte("CONNECT "))
		g.http10 = bytes.HasSuffix(line, []byte(" HTTP/1.0"))
		if !g.stopAtHead {
			g.names.begin(line)
		}
		return false
	}
	if empty {
		if !g.stopAtHead {
			g.names.end()
		}
		return g.endHead()
	}
	g.lines++
	if line[0] == ' ' || line[0] == '\t' {
		return true // obs-fold: refused at once
	}
	name, value, ok := bytes.Cut(line, []byte(":"))
	if line[0]|0x20 == 'x' && !g.stopAtHead { // only x-waiter-* names are kept (names.go)
		g.names.field(line, name, ok, g.lineTruncated)
	}
	if !ok {
		return false // net/http refuses a line without a colon itself
	}
	value = bytes.TrimSpace(value)
	if g.stopAtHead {
		g.cur.noteHeader(name, value, g.lineTruncated)
	}
	switch {
	case headername.EqualLower(name, "content-length"):
		g.cl++
		if g.cl > 1 || g.te > 0 {
			return true
		}
		v, err := strconv.ParseInt(string(value), 10, 64)
		if err != nil || v < 0 {
			return false // net/http refuses it itself
		}
		g.clValue = v
	case headername.EqualLower(name, "transfer-encoding"):
		g.te++
		if g.cl > 0 || g.http10 {
			// HTTP/1.0 has no transfer codings: net/http ignores the
			// header, a backend might not.
			return true
		}
		g.chunked = headername.EqualLower(value, "chunked")
	case headername.EqualLower(name, "upgrade"):
		g.upgrade = true
	}
	return false
}

// endHead is the blank line after a head: what follows is its body, then
// the next head. It reports whether the head must be refused.
func (g *Guard) endHead() bool {
	te, chunked, upgrade, connect, length := g.te, g.chunked, g.upgrade, g.connect, g.clValue
	if g.stopAtHead {
		g.cur.cl, g.cur.te, g.cur.clValue, g.cur.upgrade, g.cur.connect = g.cl, g.te, g.clValue, upgrade, connect
		g.head, g.cur = g.cur, Head{}
	}
	g.headEnded = true
	g.lines, g.cl, g.te, g.clValue, g.chunked, g.upgrade, g.connect, g.http10 = 0, 0, 0, 0, false, false, false, false
	switch {
	case upgrade || connect:
		// The rest of the stream may not be HTTP/1.1 (a websocket, a
		// tunnel, h2c); net/http has parsed and will frame this request.
		g.st = stPass
	case te > 0 && chunked:
		g.st = stChunkSize
	case te > 0:
		// An unknown transfer coding: net/http refuses it (501) and
		// closes the connection.
		g.st = stBroken
	case length > 0:
		g.st, g.left = stBody, length
	}
	return false
}

// chunkSize parses a chunk-size line: hex digits, then optional
// whitespace and chunk extensions. It refuses an empty or overlong size.
func chunkSize(line []byte) (int64, bool) {
	var n int64
	digits := 0
	for _, b := range line {
		var d byte
		switch {
		case '0' <= b && b <= '9':
			d = b - '0'
		case 'a' <= b && b <= 'f':
			d = b - 'a' + 10
		case 'A' <= b && b <= 'F':
			d = b - 'A' + 10
		default:
			if digits == 0 || (b != ';' && b != ' ' && b != '\t') {
				return 0, false
			}
			return n, true
		}
		digits++
		if digits > 15 {
			return 0, false // more than 2^60: no real chunk, and it would overflow
		}
		n = n<<4 | int64(d)
	}
	return n, digits > 0
}
