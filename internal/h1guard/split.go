package h1guard

import (
	"bytes"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/waiter-go/waiter/internal/headername"
)

// ErrHandoff ends the reads of a Split before a head its route did not
// take (or one the guard refuses, or an HTTP/2 preface): the connection
// goes on, from that head, through Handoff.
var ErrHandoff = errors.New("h1guard: head handed off")

// Head is what a Split learns of one request head to route it. Only the
// first maxLine bytes of a line are kept; Long reports a longer one.
type Head struct {
	line    [maxLine]byte
	lineLen int
	host    [maxLine]byte
	hostLen int
	hosts   int
	long    bool
	service bool // an x-waiter-* header other than x-waiter-debug
	ordered bool // an x-waiter-env-*, -metadata-* or -param-* header (names.go)
	expect  bool
	cl, te  int
	clValue int64
	upgrade bool
	connect bool
}

func (h *Head) noteLine(line []byte, long bool) {
	h.lineLen = copy(h.line[:], line)
	h.long = h.long || long
}

func (h *Head) noteHeader(name, value []byte, long bool) {
	h.long = h.long || long
	switch {
	case headername.EqualLower(name, "host"):
		h.hosts++
		h.hostLen = copy(h.host[:], value)
	case headername.EqualLower(name, "expect"):
		h.expect = true
	default:
		if service, ordered := ServiceHeader(name); service {
			h.service = true
			h.ordered = h.ordered || ordered
		}
	}
}

// Target is the request line's target ("/path?query" in origin form)
// when the line is "METHOD target HTTP/1.1"; ok is false otherwise.
func (h *Head) Target() (target []byte, ok bool) {
	line := h.line[:h.lineLen]
	rest, found := bytes.CutSuffix(line, []byte(" HTTP/1.1"))
	if !found {
		return nil, false
	}
	_, target, found = bytes.Cut(rest, []byte(" "))
	return target, found && !bytes.ContainsAny(target, " \t")
}

// Host is the Host header's value when the head has exactly one.
func (h *Head) Host() ([]byte, bool) { return h.host[:h.hostLen], h.hosts == 1 }

// ServiceHeaders reports an x-waiter-* header other than x-waiter-debug.
func (h *Head) ServiceHeaders() bool { return h.service }

// OrderedHeaders reports an x-waiter-env-*, -metadata-* or -param-*
// header: the service id depends on the names as sent and their order,
// which only a guarded net/http connection hands over (Handler, names.go).
func (h *Head) OrderedHeaders() bool { return h.ordered }

// Plain reports a head an HTTP/1.1 fast path can serve as a whole: every
// line kept whole, no Upgrade, CONNECT, Expect or Transfer-Encoding, and
// at most one Content-Length, no larger than maxBody.
func (h *Head) Plain(maxBody int64) bool {
	return !h.long && !h.upgrade && !h.connect && !h.expect && h.te == 0 && h.cl <= 1 && h.clValue <= maxBody
}

// Split is a connection read by a fast HTTP/1.1 server that serves only
// the requests route takes. Each request head is held back until it is
// complete and the guard has checked it; a head route takes is passed on
// with its body. Any other head (or one the guard refuses, an HTTP/2
// preface, one larger than maxHead) ends the reads with ErrHandoff, and
// Handoff returns the connection from that head on, to be served by
// another server (which guards it again).
type Split struct {
	net.Conn
	route   func(*Head) bool
	maxHead int
	// HeadTimeout, when set, bounds receiving the rest of a head that did
	// not come whole in one read, from its first bytes (the server's
	// deadline before it covers the wait for them).
	HeadTimeout time.Duration

	// work is the guard and the scratch array, held from a request's
	// first read until a read leaves nothing buffered and the guard
	// between requests; buf != nil implies work != nil.
	work *splitWork
	// buf[:ready] may be read; buf[ready:scanned] is a head being held;
	// buf[scanned:] is not scanned yet.
	buf            []byte
	pooled         *[]byte // buf's from splitBufs, while it is
	ready, scanned int
	handoff        bool
	headTimed      bool // HeadTimeout's deadline is set for the held head
	movedDeadline  bool // a head's deadline was set since MovedReadDeadline
	err            error
}

// splitWork is what a Split needs only while a request's bytes pass
// through it: the guard (its line and two heads, about 1.7 KB) and the
// scratch array the guard filters in (1 KB). Held for the connection's
// life, they were most of an idle keep-alive connection's heap (about
// 2.9 of 6.8 KB); from splitWorks, an idle connection holds neither.
type splitWork struct {
	g       Guard
	scratch [1024]byte
}

var splitWorks = sync.Pool{New: func() any { return new(splitWork) }}

// acquire gives s a fresh guard and scratch array, if it has none.
func (s *Split) acquire() *splitWork {
	if s.work == nil {
		s.work = splitWorks.Get().(*splitWork)
		s.work.g = Guard{stopAtHead: true}
	}
	return s.work
}

// releaseWork gives the guard and scratch back once s holds no bytes and
// the guard is between requests (no head, body or refusal under way), the
// state a fresh guard starts in: the next request acquires another.
func (s *Split) releaseWork() {
	w := s.work
	if w == nil || s.buf != nil || s.handoff || s.err != nil {
		return
	}
	if !w.g.betweenRequests() {
		return
	}
	s.work = nil
	splitWorks.Put(w)
}

// splitBufs are the Splits' read buffers, held only while bytes wait in
// them (a larger one, grown for a large head, is not kept either).
var splitBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// splits are Splits given back by Free: one per connection was the
// largest allocation of a new connection per request when a Split held
// its guard and scratch array (about 3 KB; splitWork now).
var splits = sync.Pool{New: func() any { return new(Split) }}

// NewSplit wraps c. route decides each head; maxHead bounds a held one.
func NewSplit(c net.Conn, route func(*Head) bool, maxHead int) *Split {
	s := splits.Get().(*Split) // zero: new, or cleared by Free
	s.Conn, s.route, s.maxHead = c, route, maxHead
	return s
}

// Free gives s back for another connection once its reader is done with
// it: the caller uses neither s nor what Read returned after, but keeps
// the connection Handoff returned (which holds nothing of s).
func (s *Split) Free() {
	s.release()
	if s.work != nil {
		splitWorks.Put(s.work)
	}
	*s = Split{}
	splits.Put(s)
}

// Prefill gives a new s bytes a front already read from its connection
// (the router's event loop, handing a connection to the goroutine
// front): they are guarded, routed and read before any s reads itself.
func (s *Split) Prefill(p []byte) {
	if len(p) == 0 {
		return
	}
	s.acquire()
	s.buf = append([]byte(nil), p...) // not pooled: a handoff is rare
}

func (s *Split) Read(p []byte) (int, error) {
	for {
		if s.ready > 0 {
			n := copy(p, s.buf[:s.ready])
			m := copy(s.buf, s.buf[n:])
			s.buf = s.buf[:m]
			s.ready -= n
			s.scanned -= n
			if m == 0 {
				s.release()
				s.releaseWork()
			}
			return n, nil
		}
		if s.handoff {
			return 0, ErrHandoff
		}
		if s.scanned < len(s.buf) {
			s.scan()
			continue
		}
		if s.err != nil {
			return 0, s.err
		}
		var n int
		var err error
		if s.buf == nil {
			// Waiting for a head in the scratch array, not a pooled
			// buffer. (An idle keep-alive connection waits in WriteAwait,
			// holding neither; this read then finds the head at once.)
			w := s.acquire()
			n, err = s.Conn.Read(w.scratch[:])
			if n > 0 {
				s.pooled = splitBufs.Get().(*[]byte)
				s.buf = append((*s.pooled)[:0], w.scratch[:n]...)
			}
		} else {
			if s.HeadTimeout > 0 && s.work.g.st == stHead && s.scanned > s.ready && !s.headTimed {
				// Part of a head is held and more must be read: the
				// rest must come in time. (A head whole in its first
				// read, the common case, moves no deadline.)
				_ = s.Conn.SetReadDeadline(time.Now().Add(s.HeadTimeout))
				s.headTimed, s.movedDeadline = true, true
			}
			if len(s.buf) == cap(s.buf) {
				nb := make([]byte, len(s.buf), 2*cap(s.buf))
				copy(nb, s.buf)
				s.release()
				s.buf = nb
			}
			k := len(s.buf)
			n, err = s.Conn.Read(s.buf[k:cap(s.buf)])
			s.buf = s.buf[:k+n]
		}
		if err != nil && IsTimeout(err) {
			// A deadline (the server's, or one set to end a blocked
			// read) is not the end of the stream: the next read may go on.
			if n == 0 {
				return 0, err
			}
			err = nil
		}
		s.err = err
	}
}

// writeAwaiter is a connection that writes and then waits for something
// to read in one wait (rawio.Conn).
type writeAwaiter interface {
	WriteAwait(p []byte, written func()) (int, error)
}

// WriteAwait writes p and returns once the connection has something to
// read, with the connection's own WriteAwait (rawio's: a server writes a
// response's last bytes and waits for the next request without a read
// that finds nothing). With bytes held here the next Read would not
// wait, and a connection without WriteAwait cannot: p is then written
// as Write writes it. written is called once all of p is written.
func (s *Split) WriteAwait(p []byte, written func()) (int, error) {
	if a, ok := s.Conn.(writeAwaiter); ok && len(s.buf) == 0 && s.err == nil && !s.handoff {
		return a.WriteAwait(p, written)
	}
	n, err := s.Conn.Write(p)
	if err == nil && written != nil {
		written()
	}
	return n, err
}

// scan moves the guard over the unscanned bytes: a body's are released,
// a head's held until it ends and route has seen it.
func (s *Split) scan() {
	w := s.work // buf holds bytes, so s holds its work
	g := &w.g
	avail := len(s.buf) - s.scanned
	switch g.st {
	case stBody:
		k := int(min(int64(avail), g.left))
		g.left -= int64(k)
		if g.left == 0 {
			g.st = stHead
		}
		s.scanned += k
		s.ready = s.scanned
		return
	case stHead:
	default:
		s.handoff = true // framing the fast path does not serve
		return
	}
	k := copy(w.scratch[:], s.buf[s.scanned:])
	i, end := g.Filter(w.scratch[:k], k)
	switch {
	case end || g.st == stRefused || g.st == stBroken || g.st == stPass || len(g.pending) > 0:
		s.handoff = true
		return
	case g.headEnded:
		g.headEnded = false
		s.headTimed = false
		s.scanned += i
		if !s.route(&g.head) {
			s.handoff = true
			return
		}
		if g.st == stHead || g.st == stBody {
			s.ready = s.scanned
			return
		}
		s.handoff = true
	default:
		s.scanned += i
		if s.scanned-s.ready > s.maxHead {
			s.handoff = true
		}
	}
}

// Idle reports whether s holds nothing of a request (no bytes, no
// handoff or error to report), and then gives back its guard and scratch
// array: a server may leave the connection without a reader for a while
// (internal/connpark) and read it again as if it were new. A head that
// came in part, or its deadline passing, is not idle.
func (s *Split) Idle() bool {
	if s.buf != nil || s.handoff || s.err != nil {
		return false
	}
	s.releaseWork()
	return s.work == nil
}

// MovedReadDeadline reports whether s set its connection's read deadline
// itself (HeadTimeout's, for a head that came in parts) since the last
// call: a server that leaves a deadline it set in place while it is late
// enough (internal/h1serve) must not take it for still set. Call it from
// the reader's goroutine, between reads.
func (s *Split) MovedReadDeadline() bool {
	moved := s.movedDeadline
	s.movedDeadline = false
	return moved
}

// Handoff reports whether the reads ended before a head to hand off,
// and returns the connection from that head on.
func (s *Split) Handoff() (net.Conn, bool) {
	if !s.handoff || s.ready > 0 {
		return nil, false
	}
	s.pooled = nil // the replay reads the buffer from now on
	return &replay{Conn: s.Conn, pending: s.buf, err: s.err}, true
}

// release gives the pooled buffer back (drained, or outgrown by a large
// head), so that an idle connection holds none; s.buf is nil after.
func (s *Split) release() {
	if s.pooled != nil {
		*s.pooled = (*s.pooled)[:0]
		splitBufs.Put(s.pooled)
		s.pooled = nil
	}
	s.buf = nil
}

// replay reads held bytes, then the connection.
type replay struct {
	net.Conn
	pending []byte
	err     error
}

func (r *replay) Read(p []byte) (int, error) {
	if len(r.pending) > 0 {
		n := copy(p, r.pending)
		r.pending = r.pending[n:]
		return n, nil
	}
	if r.err != nil {
		return 0, r.err
	}
	return r.Conn.Read(p)
}

// CloseWrite half-closes the connection when the one underneath can.
func (r *replay) CloseWrite() error {
	if cw, ok := r.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// IsTimeout reports whether err is a net.Error that timed out (a
// deadline). Call it only with an error: errors.As's target escapes, and
// declared where every Read passed it, it was an allocation per read.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
