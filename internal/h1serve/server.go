package h1serve

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpguts"
)

// watchAfter is how long a request runs before the server starts
// watching its connection for the client going away (which cancels the
// request's context, as net/http's server does).
const watchAfter = 20 * time.Millisecond

// Server serves HTTP/1.1 requests on connections given to ServeConn.
type Server struct {
	Handler http.Handler
	// ReadHeaderTimeout bounds reading a request's head; IdleTimeout how
	// long a keep-alive connection waits for the next one (0: the
	// ReadHeaderTimeout), as in http.Server.
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	// Stop, when set, ends a read with this error to hand a connection
	// on: ServeConn returns true when it ended at a request boundary
	// with it.
	Stop     error
	ErrorLog *log.Logger
	// ConnContext, when set, is called once per connection with the
	// context the server made for it (canceled when the client goes away
	// or the connection ends); its answer, which must keep that
	// cancellation (derive from the context given), is the context of
	// every request on the connection, as with http.Server.ConnContext.
	// A handler may keep per-request state there without a
	// Request.WithContext copy per request: the connection serves one
	// request at a time, and a handler keeps nothing of its request past
	// its return.
	ConnContext func(context.Context) context.Context
	// ParkAfter, when positive and shorter than IdleTimeout, ends
	// ServeParkable's wait for a keep-alive connection's next request
	// after this long, with the connection between requests and holding
	// nothing of its own (End.Park): its caller may wait for the next
	// bytes without a goroutine (internal/connpark) and serve it again.
	ParkAfter time.Duration
	// RequestDone, when set, is called with the requests' context (as
	// ConnContext made it) once each request's response is written into
	// the connection's buffer, before the next request is read: what the
	// handler kept there for the request may be reused from then on
	// (nothing of the response refers to it any more).
	RequestDone func(context.Context)
	// Panicked, when set, hears of a panic of this server's own code
	// outside any handler, which ended one connection (a handler's
	// panic is the handler's to count: it passes through it).
	Panicked func()

	mu       sync.Mutex
	conns    map[*conn]struct{}
	shutting atomic.Bool
}

type connState int32

const (
	stateIdle connState = iota
	stateActive
	// stateAwaiting: a response's last bytes are being written by the
	// wait for the next request (awaitNext). Shutdown ends the wait with
	// a read deadline, not a Close, so the response still goes out.
	stateAwaiting
)

type conn struct {
	c      net.Conn
	state  atomic.Int32
	remote string
	wt     watch // reused by each request
	// The response and the body tracker of the request being served,
	// reused by each (the handler does not keep them past its return).
	resp response
	body trackedBody
	// ctx is the context of every request on the connection, canceled
	// when the client goes away (the watch) or the connection ends. One
	// per connection, not per request: the connection ends with the
	// request the client left, and a handler (as net/http's contract
	// has it) keeps nothing of its request past its return, so a
	// per-request context would only cost allocations (a cancelCtx, its
	// cancel func, its children map, its done channel) on every request.
	ctx    context.Context
	cancel context.CancelFunc
	// reqCtx is ctx as Server.ConnContext made it, the requests' context.
	reqCtx context.Context
	// first holds a request's first byte, read before the connection
	// took its buffers from the pools.
	first firstByte
	// base is a request with ctx and nothing else; head what the fast
	// parser (parse.go) reuses for every head it takes.
	base *http.Request
	head *fastHead // from headPool, with the buffers
	// deadline is the read deadline ServeConn last set on c for a wait
	// between requests, zero once anything else may have moved it (the
	// body's, the watch's, the handler's, the connection's own: see
	// deadlineMover). While it is late enough for the next wait, the wait
	// leaves it where it is (idleDeadline).
	deadline time.Time
	// mover is c when it moves its own read deadline.
	mover deadlineMover
	// out is the writer of the connection's buffered writer; awaiter is
	// c's WriteAwait (h1guard.Split's, over rawio), nil when it has none.
	out     lastWriter
	awaiter writeAwaiter
	// pending is a keep-alive response's last bytes, in the buffered
	// writer's buffer: the wait for the next request writes them
	// (awaitNext).
	pending []byte
	// park: the wait between requests ends after Server.ParkAfter, and
	// ServeParkable returns End.Park with idleDue, when the connection
	// would have been closed idle.
	park    bool
	idleDue time.Time
}

// End is how ServeConn and ServeParkable ended. The caller closes the
// connection unless Handoff or Park says otherwise.
type End struct {
	// Handoff: the reads ended with Server.Stop at a request boundary
	// (every response written), so the caller may serve the connection
	// on.
	Handoff bool
	// Park, when not zero, is when the connection is to be closed idle:
	// it has waited Server.ParkAfter for its next request, between
	// requests, with nothing of its own buffered and every response
	// written. The caller waits for its next bytes any way it likes,
	// then serves it again (ServeParkable), or closes it at Park.
	Park time.Time
}

// writeAwaiter writes and then waits for something to read in one wait
// (h1guard.Split, rawio.Conn).
type writeAwaiter interface {
	WriteAwait(p []byte, written func()) (int, error)
}

// lastWriter is a connection as its buffered writer sees it. With
// capture set, a write is kept (in captured) instead of made: ServeConn
// takes a keep-alive response's last bytes out of the buffered writer
// that way, to write them in the wait for the next request.
type lastWriter struct {
	c        net.Conn
	capture  bool
	captured []byte
}

func (w *lastWriter) Write(p []byte) (int, error) {
	if w.capture {
		w.captured = p
		return len(p), nil
	}
	return w.c.Write(p)
}

// deadlineMover is a connection that may move its own read deadline (an
// h1guard.Split sets one for a head that comes in parts); it reports
// whether it did since it was last asked.
type deadlineMover interface {
	MovedReadDeadline() bool
}

// idleSlack is how much later than due an idle keep-alive connection may
// be closed: a wait for the next request moves the read deadline only
// when the one set before would come more than that early, and then sets
// it that much later. Moving it for every request (a runtime timer
// modified under its lock, and a clock read) was about 1.4 % of a
// keep-alive proxied request's CPU; now a busy connection moves it about
// once per idleSlack.
func idleSlack(wait time.Duration) time.Duration { return min(wait/4, time.Second) }

// idleDeadline sets c's read deadline for a wait of wait between two
// requests, unless the one it set before is still late enough. A
// connection that parks waits ParkAfter at most, and notes when its
// whole wait ends (idleDue).
func (sc *conn) idleDeadline(wait, parkAfter time.Duration) {
	if sc.mover != nil && sc.mover.MovedReadDeadline() {
		sc.deadline = time.Time{}
	}
	now := time.Now()
	if sc.park && parkAfter < wait {
		sc.idleDue = now.Add(wait)
		wait = parkAfter
	}
	due := now.Add(wait)
	if !sc.deadline.IsZero() && !sc.deadline.Before(due) {
		return
	}
	sc.deadline = due.Add(idleSlack(wait))
	_ = sc.c.SetReadDeadline(sc.deadline)
}

// watch arms the connection's watch for a new request.
func (sc *conn) watch(br *bufio.Reader, body *trackedBody, cancel context.CancelFunc, stopErr error) *watch {
	w := &sc.wt
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sc, w.br, w.body, w.cancel, w.stopErr = sc, br, body, cancel, stopErr
	w.stopped, w.running, w.gone = false, nil, false
	if w.timer == nil {
		w.timer = time.AfterFunc(watchAfter, w.fire)
	} else {
		w.timer.Reset(watchAfter)
	}
	return w
}

var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4<<10) }}
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 4<<10) }}
	// headPool holds the fast parser's reused request, URL and header
	// map (about 3 KB once used), which an idle connection holds no
	// more than its buffers.
	headPool = sync.Pool{New: func() any { return new(fastHead) }}
)

// aLongTimeAgo is a deadline that has passed: it ends a blocked read.
var aLongTimeAgo = time.Unix(1, 0)

// ServeConn serves requests on c until the client is done, an error, or
// Shutdown. It does not close c (see End).
func (s *Server) ServeConn(c net.Conn) End { return s.serveConn(c, false) }

// ServeParkable is ServeConn for a connection its caller can park (see
// Server.ParkAfter and End.Park). A parked connection served again starts
// as a new one: its first wait is bounded by ReadHeaderTimeout.
func (s *Server) ServeParkable(c net.Conn) End { return s.serveConn(c, s.ParkAfter > 0) }

func (s *Server) serveConn(c net.Conn, park bool) End {
	sc := &conn{c: c, park: park}
	sc.mover, _ = c.(deadlineMover)
	sc.awaiter, _ = c.(writeAwaiter)
	sc.out.c = c
	if !s.track(sc, true) {
		return End{}
	}
	defer s.track(sc, false)
	// A panic of this server's own, outside any handler (run recovers
	// those), ends this connection, not the router, as in net/http's
	// conn.serve: a net.Conn without a remote address once crashed the
	// whole process here. serveConn then returns End{}: the caller closes
	// the connection.
	defer func() {
		if v := recover(); v != nil {
			buf := make([]byte, 64<<10)
			buf = buf[:runtime.Stack(buf, false)]
			s.logf("h1serve: panic serving %v: %v\n%s", c.RemoteAddr(), v, buf)
			if s.Panicked != nil {
				s.Panicked()
			}
		}
	}()
	defer func() {
		if sc.cancel != nil {
			sc.cancel()
		}
	}()
	// A connection waiting for its next request holds no buffers: the
	// reader and writer (4 KB each) come from their pools when a request's
	// first byte arrives and go back once it is answered with nothing of
	// the next one buffered. Held for the connection's life, they were
	// most of an idle keep-alive connection's 18 KB of heap (nginx holds
	// about 1 KB).
	var br *bufio.Reader
	var bw *bufio.Writer
	release := func() {
		if br != nil {
			br.Reset(nil)
			readerPool.Put(br)
			bw.Reset(nil)
			writerPool.Put(bw)
			headPool.Put(sc.head)
			br, bw, sc.head = nil, nil, nil
		}
	}
	defer release()
	first := true
	for {
		wait := s.IdleTimeout
		if first || wait <= 0 {
			wait = s.ReadHeaderTimeout
		}
		switch {
		case wait <= 0:
			if first && sc.park {
				// A parked connection served again keeps the deadline
				// that parked it, passed.
				_ = c.SetReadDeadline(time.Time{})
			}
		case first:
			_ = c.SetReadDeadline(time.Now().Add(wait))
		default:
			sc.idleDeadline(wait, s.ParkAfter)
		}
		if sc.pending != nil && !s.awaitNext(sc, release) {
			return End{}
		}
		if br == nil {
			// Wait for the request's first byte with no buffer of our own.
			n, err := c.Read(sc.first.b[:])
			if n == 0 {
				if err == nil {
					continue
				}
				if s.parks(sc, err) {
					return End{Park: sc.idleDue}
				}
				return End{Handoff: s.Stop != nil && errors.Is(err, s.Stop)}
			}
			sc.first.c, sc.first.held = c, true
			br = readerPool.Get().(*bufio.Reader)
			br.Reset(&sc.first)
			bw = writerPool.Get().(*bufio.Writer)
			bw.Reset(&sc.out)
			sc.head = headPool.Get().(*fastHead)
			// The byte and the rest of what has come, in one read: a whole
			// head is then buffered, and needs no head deadline below.
			_, _ = br.Peek(1)
		} else if _, err := br.Peek(1); err != nil {
			return End{Handoff: s.Stop != nil && errors.Is(err, s.Stop) && br.Buffered() == 0}
		}
		sc.state.Store(int32(stateActive))
		if s.shutting.Load() {
			return End{}
		}
		end := headEnd(br) // found once: the deadline and the fast parser both need it
		if !first && s.ReadHeaderTimeout > 0 && end < 0 {
			// The rest of the head is still to come (a whole one, as
			// h1guard.Split hands them over, needs no more reads).
			_ = c.SetReadDeadline(time.Now().Add(s.ReadHeaderTimeout))
			sc.deadline = time.Time{}
		}
		first = false
		keep := s.serveOne(sc, br, bw, end)
		if s.RequestDone != nil {
			s.RequestDone(sc.reqCtx)
		}
		if keep && sc.awaiter != nil && br.Buffered() == 0 && !s.shutting.Load() {
			// Nothing of a next request read yet (no pipelining): the
			// wait for it writes what is left of this response.
			if keep = sc.takeLast(bw); sc.pending != nil {
				continue
			}
		} else if keep {
			keep = bw.Flush() == nil
		}
		sc.state.Store(int32(stateIdle))
		if !keep || s.shutting.Load() {
			return End{}
		}
		if br.Buffered() == 0 {
			release() // nothing of a next request read yet (no pipelining)
		}
	}
}

// parks reports whether the wait for sc's next request ended with err
// to park it: ParkAfter's deadline passed, its idle timeout has not, and
// the connection holds nothing of a request (a head that came in part
// ends at its own deadline, not parked).
func (s *Server) parks(sc *conn, err error) bool {
	if !sc.park || sc.idleDue.IsZero() || !errors.Is(err, os.ErrDeadlineExceeded) ||
		!time.Now().Before(sc.idleDue) || s.shutting.Load() {
		return false
	}
	id, ok := sc.c.(idler)
	return !ok || id.Idle()
}

// idler is a connection that may hold bytes of a request above its
// socket (h1guard.Split); Idle reports whether it holds none.
type idler interface{ Idle() bool }

// awaitNext writes sc.pending, a keep-alive response's last bytes in the
// connection's buffered writer, and waits for the next request in the
// same wait: the read that waits for a request must otherwise first try
// one (the runtime's poller forgets a readiness that came before a read
// began), which finds nothing on almost every request (rawio's
// WriteAwait). The buffers go back to their pools (release) as soon as
// the bytes are written, so an idle connection still holds none while it
// waits.
// The connection's read deadline, set for the wait, ends it; the read
// that follows reports what ended it. It reports whether the bytes were
// written.
func (s *Server) awaitNext(sc *conn, release func()) bool {
	_, err := sc.awaiter.WriteAwait(sc.pending, release)
	release() // when the write failed, not having called it
	sc.pending = nil
	sc.state.Store(int32(stateIdle))
	return err == nil
}

// takeLast takes what bw holds of a response out of it, into sc.pending
// (nil when bw holds nothing), and reports whether bw was sound. The
// methods, not ServeConn, hold these locals: ServeConn's frame is on
// every connection's stack, and 170 more bytes of it made 40 % of idle
// connections keep a 16 KB stack instead of 8 KB (proxybench -only memory).
func (sc *conn) takeLast(bw *bufio.Writer) bool {
	sc.out.capture = true
	err := bw.Flush() // captures: no write (or a write's error, kept by bw)
	sc.out.capture = false
	sc.pending, sc.out.captured = sc.out.captured, nil
	if err != nil {
		sc.pending = nil
		return false
	}
	if sc.pending != nil {
		sc.state.Store(int32(stateAwaiting))
	}
	return true
}

// firstByte is a connection as its reader sees it: the byte read while
// the connection waited without a buffer, then the connection.
type firstByte struct {
	c    net.Conn
	b    [1]byte
	held bool
}

func (f *firstByte) Read(p []byte) (int, error) {
	if !f.held || len(p) == 0 {
		return f.c.Read(p)
	}
	// With the rest of what has come: a head is more than one byte, so
	// the read does not wait for what the request needs anyway, and the
	// byte costs no read of its own.
	p[0], f.held = f.b[0], false
	n, err := f.c.Read(p[1:])
	return n + 1, err
}

// readRequest is http.ReadRequest, also saying whether the head had a
// Host line (hostLineIn). A head that came in several reads is first
// read on into the buffer, until hostLineIn can tell or the buffer is
// full (a head of over 4 KB, whose Host line is then judged by its value:
// an empty one counts as missing), or the read fails, which ReadRequest
// then reports as it would have. The connection's deadline for a head
// bounds the wait, as it bounds ReadRequest's; each read's bytes are
// looked at once (from), however few come at a time.
func readRequest(br *bufio.Reader) (req *http.Request, hasHost bool, err error) {
	hasHost, known, from := hostLineIn(br, 0)
	for !known && br.Buffered() < br.Size() {
		if _, err := br.Peek(br.Buffered() + 1); err != nil {
			break
		}
		hasHost, known, from = hostLineIn(br, from)
	}
	if req, err = http.ReadRequest(br); err == nil && !known {
		hasHost = req.Host != ""
	}
	return req, hasHost, err
}

// hostLineIn reports whether the head buffered at the start of br has a
// Host line, which http.ReadRequest does not say (it takes the header
// out, and an empty Host is valid where a missing one is not). It looks
// at the lines from the offset from on (0: the request line, which it
// skips). known is false when the head is not whole in the buffer: the
// rest of it is still to come, and next is where its first line not
// yet whole starts, for the next look.
func hostLineIn(br *bufio.Reader, from int) (has, known bool, next int) {
	buf, _ := br.Peek(br.Buffered())
	for next = from; ; {
		i := bytes.IndexByte(buf[next:], '\n')
		if i < 0 {
			return false, false, next
		}
		line := bytes.TrimSuffix(buf[next:next+i], []byte("\r"))
		first := next == 0 // the request line
		next += i + 1
		switch {
		case first:
		case len(line) == 0:
			return false, true, next // the head's end
		case len(line) >= 5 && line[4] == ':' && bytes.EqualFold(line[:4], []byte("host")):
			return true, true, next
		}
	}
}

// headEnd is the index of the empty line ending the head at the start of
// br's buffer, or -1 while the head is not whole there.
func headEnd(br *bufio.Reader) int {
	buf, _ := br.Peek(br.Buffered())
	return bytes.Index(buf, []byte("\r\n\r\n"))
}

// serveOne reads and answers one request, whose head ends at end in br's
// buffer (headEnd); it reports whether the connection may serve another.
func (s *Server) serveOne(sc *conn, br *bufio.Reader, bw *bufio.Writer, end int) bool {
	c := sc.c
	if sc.ctx == nil {
		sc.ctx, sc.cancel = context.WithCancel(context.Background())
		sc.reqCtx = sc.ctx
		if s.ConnContext != nil {
			sc.reqCtx = s.ConnContext(sc.ctx)
		}
		sc.base = (&http.Request{}).WithContext(sc.reqCtx)
	}
	req, fast := sc.head.parseFastAt(br, sc.base, end)
	var err error
	hasHost := fast // the fast parser takes only a head with one Host
	if !fast {
		req, hasHost, err = readRequest(br)
	}
	if err == nil {
		err = checkRequest(req, hasHost, fast)
	}
	if err != nil {
		if s.Stop != nil && errors.Is(err, s.Stop) {
			return false
		}
		badRequest(c, err)
		return false
	}
	if !fast || req.ContentLength != 0 {
		// The body is read with no deadline, as net/http's server does.
		// A head the fast parser took without a body leaves the
		// connection alone: nothing reads it before the watch, which
		// clears the deadline itself (fire), or the next head's wait,
		// which sets its own; one deadline move per request, not three.
		_ = c.SetReadDeadline(time.Time{})
		sc.deadline = time.Time{}
	}
	if sc.remote == "" {
		sc.remote = c.RemoteAddr().String()
	}
	req.RemoteAddr = sc.remote
	if !fast {
		req = req.WithContext(sc.reqCtx)
	}
	var body *trackedBody // nil: no body, or read to its end
	if req.Body != http.NoBody && req.ContentLength != 0 {
		body = &sc.body
		body.ReadCloser = req.Body
		body.done.Store(false)
		req.Body = body
	}
	w := &sc.resp
	w.reset(c, bw, req)
	if fast {
		w.fields = sc.head.fields
	}
	wt := sc.watch(br, body, sc.cancel, s.Stop)
	aborted := s.run(w, req)
	gone := wt.stop()
	if w.movedDeadline {
		sc.deadline = time.Time{}
	}
	defer w.release()
	if aborted || gone {
		return false
	}
	w.finish()
	if w.err != nil || w.closeAfter || req.Close {
		_ = bw.Flush()
		return false
	}
	if body != nil && !body.done.Load() {
		// What the handler left of a small body (the fast path takes no
		// large one): read it, so the next request starts where it should.
		if _, err := io.Copy(io.Discard, io.LimitReader(body, 256<<10)); err != nil || !body.done.Load() {
			_ = bw.Flush()
			return false
		}
	}
	return true // ServeConn writes what bw holds of the response
}

// run calls the handler; it reports whether the handler aborted (a
// panic, http.ErrAbortHandler or another, which net/http's server logs
// and answers by closing the connection).
func (s *Server) run(w *response, req *http.Request) (aborted bool) {
	defer func() {
		if v := recover(); v != nil {
			aborted = true
			if v != http.ErrAbortHandler {
				buf := make([]byte, 64<<10)
				buf = buf[:runtime.Stack(buf, false)]
				s.logf("http: panic serving %v: %v\n%s", w.req.RemoteAddr, v, buf)
			}
		}
	}()
	s.Handler.ServeHTTP(w, req)
	return false
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
	}
}

// checkRequest applies the checks net/http's server makes after parsing
// (server.go readRequest), with its messages. The fast parser takes only
// token names and values of printable ASCII and tabs (parse.go), so a
// head it took (fast) needs no look at its header fields again.
func checkRequest(req *http.Request, hasHost, fast bool) error {
	// http.ReadRequest has taken the Host header out (req.Host) and
	// refused two. An empty one is valid (RFC 9112, 3.2: a target without
	// an authority), as net/http's server takes it; none at all is not.
	if !hasHost && req.ProtoAtLeast(1, 1) && req.Method != http.MethodConnect {
		return statusError("missing required Host header")
	}
	if !httpguts.ValidHostHeader(req.Host) {
		return statusError("malformed Host header")
	}
	if fast {
		return nil // the fast parser took only valid header fields
	}
	for k, vv := range req.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return statusError("invalid header name")
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				return statusError("invalid header value")
			}
		}
	}
	return nil
}

type statusError string

func (e statusError) Error() string { return string(e) }

// badRequest answers a request that could not be read as net/http's
// server does, unless the client is gone.
func badRequest(c net.Conn, err error) {
	var ne net.Error
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne) {
		return
	}
	const errorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
	public := "400 Bad Request"
	var se statusError
	if errors.As(err, &se) {
		public = "400 Bad Request: " + string(se)
	} else if strings.Contains(err.Error(), "unsupported transfer encoding") {
		public = "501 Not Implemented"
	}
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = fmt.Fprintf(c, "HTTP/1.1 %s%s%s", public, errorHeaders, public)
}

// trackedBody notes when the request body has been read to its end:
// only then may the watch read the connection.
type trackedBody struct {
	io.ReadCloser
	done atomic.Bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.done.Store(true)
	}
	return n, err
}

// watch reads the connection while a long request runs, to cancel it
// when the client goes away.
type watch struct {
	mu      sync.Mutex
	sc      *conn
	br      *bufio.Reader
	body    *trackedBody
	cancel  context.CancelFunc
	timer   *time.Timer
	stopped bool
	stopErr error         // Server.Stop: not the client going away
	running chan struct{} // closed when the read returns
	gone    bool          // the client went away
}

// fire starts the read once the body has been read.
func (w *watch) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	// A read already runs for this request: a call of the previous
	// request's timer that Stop could not catch (it was already waiting
	// for w.mu) may run after sc.watch re-armed the watch, and the timer
	// then fires again; one reader of the connection at a time.
	if w.stopped || w.running != nil {
		return
	}
	if w.body != nil && !w.body.done.Load() {
		w.timer.Reset(watchAfter)
		return
	}
	// The head's deadline may still be set (serveOne): the watch reads
	// for as long as the request runs.
	_ = w.sc.c.SetReadDeadline(time.Time{})
	w.running = make(chan struct{})
	running, br, cancel, stopErr := w.running, w.br, w.cancel, w.stopErr
	go func() {
		defer close(running)
		_, err := br.Peek(1)
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) && (stopErr == nil || !errors.Is(err, stopErr)) {
			w.mu.Lock()
			w.gone = true
			w.mu.Unlock()
			cancel()
		}
	}()
}

// stop ends the watch; it reports whether the client went away.
func (w *watch) stop() bool {
	w.mu.Lock()
	w.stopped = true
	w.timer.Stop()
	running := w.running
	w.mu.Unlock()
	if running == nil {
		return false
	}
	w.sc.deadline = time.Time{} // the watch cleared it, and so does stop
	// End the read; again if something under it (h1guard.Split's head
	// deadline) moved the deadline before the read saw it.
	for done := false; !done; {
		_ = w.sc.c.SetReadDeadline(aLongTimeAgo)
		select {
		case <-running:
			done = true
		case <-time.After(10 * time.Millisecond):
		}
	}
	_ = w.sc.c.SetReadDeadline(time.Time{})
	return w.gone
}

// track adds or removes a connection; adding fails once shutting down.
func (s *Server) track(c *conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.conns, c)
		return true
	}
	if s.shutting.Load() {
		return false
	}
	if s.conns == nil {
		s.conns = map[*conn]struct{}{}
	}
	s.conns[c] = struct{}{}
	return true
}

// Shutdown stops serving: idle connections are closed at once, active
// ones after their current response; it returns when none is left or
// ctx ends (then the caller closes what is left with Close).
func (s *Server) Shutdown(ctx context.Context) error {
	s.shutting.Store(true)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if s.closeIdle() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// closeIdle closes idle connections and reports whether none is left.
func (s *Server) closeIdle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		switch connState(c.state.Load()) {
		case stateIdle:
			_ = c.c.Close()
		case stateAwaiting:
			// Ends the wait for a next request, not the write of the
			// response before it (awaitNext); the connection is idle and
			// closed on a later tick.
			_ = c.c.SetReadDeadline(aLongTimeAgo)
		}
	}
	return len(s.conns) == 0
}

// Close closes every connection.
func (s *Server) Close() {
	s.shutting.Store(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		_ = c.c.Close()
	}
}
