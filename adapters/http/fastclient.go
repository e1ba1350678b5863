package waiterhttp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/valyala/fasthttp"
	"github.com/waiter-go/waiter/internal/h1resp"
	"github.com/waiter-go/waiter/internal/strarena"
	"github.com/waiter-go/waiter/internal/warmconn"

	"github.com/waiter-go/waiter/internal/rawio"
)

// The fast backend client. Profiling `waiter serve` under wrk (perf,
// test/bench/proxybench) put about a quarter of the router's CPU in
// net/http's client transport: every round trip hands the request to a
// per-connection writer goroutine and the response back from a reader
// goroutine through channels and selects. For the common request
// (HTTP/1.1 instance, no upgrade, no gRPC, no body or a small one of
// known length) the router writes the request and reads the answer
// itself, on the request's goroutine, with fasthttp's wire code
// (Request.Write, Response.Read with a streamed body; pooled objects) on
// connections pooled here. Everything else (h2, h2c, https backends,
// streamed or large uploads, websockets, gRPC, a transport given in the
// configuration, the mock clock of tests) goes through net/http's
// transport as before.
//
// What the transport did through the request's context, the fast client
// does through the connection: the socket timeout is the deadline of the
// wait for the answer (a timeout is reported as the watchdog's
// errBackendTimeout), and a canceled request (client gone, streaming
// timeout) expires the connection's deadlines, which ends a write or
// read blocked on the instance; the connection is then closed.

// fastMaxBody is the largest request body sent through the fast client;
// it is read from the client before the request is sent, so that an
// instance that answers before reading a large upload cannot stall the
// exchange. Larger or chunked bodies stream through net/http.
const fastMaxBody = 64 << 10

// fastMaxIdle bounds the idle connections kept per instance address,
// and fastIdleTimeout how long one is kept (Waiter's pool idle timeout).
const (
	fastMaxIdle     = 128
	fastIdleTimeout = 10 * time.Second
)

// fastClients pools HTTP/1.1 connections to instances, by address. A
// request holds its connection from writing the request to the end of
// the answer's body, so that a canceled request (client gone, streaming
// timeout) can expire that connection's deadlines: that ends a write or
// read blocked on the instance, and the connection is closed, which the
// instance sees as its client gone, as with net/http's transport.
type fastClients struct {
	connect time.Duration
	clk     clock.Clock // the real one (fastEnabled)
	// warm: connections health checks left open to instances just found
	// ready, taken before an idle one (Config.WarmConns).
	warm *warmconn.Pool

	mu        sync.Mutex
	idle      map[string][]*fastConn // newest last
	lastSweep time.Time
	// sweeper sweeps once fastIdleTimeout after a connection was kept while
	// none is scheduled: a router gone quiet would otherwise keep every
	// idle connection (and its buffers) until its next request.
	sweeper *clock.Timer
	closed  bool
}

func newFastClients(connect time.Duration, clk clock.Clock, warm *warmconn.Pool) *fastClients {
	return &fastClients{connect: connect, clk: clk, warm: warm, idle: map[string][]*fastConn{}}
}

// fastEnabled reports whether the fast client may serve requests: it
// needs the wall clock (deadlines are for the kernel) and net/http's
// transports (a configured Transport is used for everything).
func (s *Server) fastEnabled() bool {
	if s.fast == nil || s.transports.override != nil {
		return false
	}
	_, mock := s.clock.(*clock.Mock)
	return !mock
}

// get returns the connection of the health check that found the instance
// at addr ready (first: an idle one to addr may be to an instance that
// was there before), an idle connection to addr, or a new one. reused is
// true for the first two: the instance may have closed them, and a
// request that fails on one before any answer is retried on a new one.
func (f *fastClients) get(addr string, now time.Time) (*fastConn, bool, error) {
	if nc := f.warm.Take(addr); nc != nil {
		return f.wrap(nc, addr), true, nil
	}
	f.mu.Lock()
	for cs := f.idle[addr]; len(cs) > 0; cs = f.idle[addr] {
		c := cs[len(cs)-1]
		f.idle[addr] = cs[:len(cs)-1]
		if now.Sub(c.idleSince) < fastIdleTimeout {
			f.mu.Unlock()
			c.takeBuffers()
			return c, true, nil
		}
		_ = c.Close()
	}
	f.mu.Unlock()
	nc, err := (&net.Dialer{Timeout: f.connect, KeepAlive: 30 * time.Second}).Dial("tcp", addr)
	if err != nil {
		return nil, false, err
	}
	return f.wrap(nc, addr), false, nil
}

// wrap makes nc, a connection to addr, a fastConn with its buffers.
func (f *fastClients) wrap(nc net.Conn, addr string) *fastConn {
	c := &fastConn{Conn: rawio.Wrap(nc), addr: addr}
	c.awaiter, _ = c.Conn.(writeAwaiter)
	c.expire = c.expireNow
	c.watch.clk = f.clk
	c.takeBuffers()
	return c
}

// The buffers of a connection in use: 16 KB to read an answer (bodies
// stream through it), 4 KB for the request's head (a body larger than the
// buffer is written past it). An idle pooled connection holds neither
// (put): kept with it, they were about 20 KB of every connection the pool
// kept for its idle timeout, at every instance a request went to in the
// last 10 s.
var (
	fastReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 16<<10) }}
	fastWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 4<<10) }}
)

// takeBuffers gives c its buffers, if it has none.
func (c *fastConn) takeBuffers() {
	if c.br == nil {
		c.br = fastReaders.Get().(*bufio.Reader)
		c.br.Reset(c)
		c.bw = fastWriters.Get().(*bufio.Writer)
		c.bw.Reset(c)
	}
}

// dropBuffers gives c's buffers back once they hold nothing (an answer
// read to its end, a request written whole): nothing of them is read or
// written after, and the next exchange on c takes others.
func (c *fastConn) dropBuffers() {
	if c.br == nil || c.br.Buffered() > 0 || c.bw.Buffered() > 0 {
		return
	}
	c.br.Reset(nil)
	fastReaders.Put(c.br)
	c.bw.Reset(nil)
	fastWriters.Put(c.bw)
	c.br, c.bw = nil, nil
}

// put keeps c for the next request to its address.
func (f *fastClients) put(c *fastConn, now time.Time) {
	c.dropBuffers()
	c.idleSince = now
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Sub(f.lastSweep) >= fastIdleTimeout {
		f.sweep(now)
	}
	cs := f.idle[c.addr]
	if len(cs) >= fastMaxIdle || f.closed {
		_ = c.Close()
		return
	}
	f.idle[c.addr] = append(cs, c)
	if f.sweeper == nil {
		f.sweeper = f.clk.AfterFunc(fastIdleTimeout, f.sweepIdle)
	}
}

// sweepIdle is the sweeper's: it sweeps, and comes again while
// connections are kept.
func (f *fastClients) sweepIdle() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sweeper = nil
	if f.closed {
		return
	}
	now := f.clk.Now()
	if oldest, ok := f.sweep(now); ok {
		f.sweeper = f.clk.AfterFunc(oldest.Add(fastIdleTimeout).Sub(now), f.sweepIdle)
	}
}

// sweep closes connections idle past fastIdleTimeout, at every address:
// an instance that is gone is never asked for again, and its connections
// must not stay open. It returns when the oldest connection it kept went
// idle (ok false when it kept none). f.mu held.
func (f *fastClients) sweep(now time.Time) (oldest time.Time, ok bool) {
	f.lastSweep = now
	for addr, cs := range f.idle {
		kept := cs[:0]
		for _, c := range cs {
			if now.Sub(c.idleSince) < fastIdleTimeout {
				kept = append(kept, c)
				if !ok || c.idleSince.Before(oldest) {
					oldest, ok = c.idleSince, true
				}
			} else {
				_ = c.Close()
			}
		}
		clear(cs[len(kept):])
		if len(kept) == 0 {
			delete(f.idle, addr)
		} else {
			f.idle[addr] = kept
		}
	}
	return oldest, ok
}

// close drops idle connections (on shutdown).
func (f *fastClients) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	if f.sweeper != nil {
		f.sweeper.Stop()
		f.sweeper = nil
	}
	for addr, cs := range f.idle {
		for _, c := range cs {
			_ = c.Close()
		}
		delete(f.idle, addr)
	}
}

// fastConn is a pooled backend connection.
type fastConn struct {
	net.Conn
	addr      string
	br        *bufio.Reader
	bw        *bufio.Writer
	idleSince time.Time
	// deadline is the one last set by setDeadline (zero: none).
	deadline time.Time
	watch    fastWatch // the exchange's request context (fastwatch.go)
	expire   func()    // c.expireNow, made once
	// hdr is the header map of the answers read on the connection, one
	// at a time (header).
	hdr http.Header
	// awaiter is the connection's WriteAwait (rawio; nil elsewhere), and
	// lastWrite says that the next Write is a request's last (exchange).
	awaiter   writeAwaiter
	lastWrite bool
}

// writeAwaiter writes and then waits for an answer in one wait
// (rawio.Conn).
type writeAwaiter interface {
	WriteAwait(p []byte, written func()) (int, error)
}

// Write is bw's: a request's last write, with lastWrite set, waits for
// the answer to be there before it returns (rawio's WriteAwait), so
// reading it makes no read(2) that finds nothing.
func (c *fastConn) Write(p []byte) (int, error) {
	if c.lastWrite && c.awaiter != nil {
		c.lastWrite = false
		return c.awaiter.WriteAwait(p, nil)
	}
	return c.Conn.Write(p)
}

// fastHeaderReuse is the most entries a connection's answer header map
// may have had for the next answer to reuse it: clearing a map costs its
// size, and one grown for a rare large header is dropped.
const fastHeaderReuse = 16

// header returns the connection's answer header map, emptied. A new map
// per answer was two allocations (the map and its entries, about 380
// bytes) on every request. The map is the answer's until its body is
// closed, which hands the connection to the next request: forward reads
// the answer's header before that (it copies the entries, whose value
// slices are the answer's fastBody's, into the client's response).
func (c *fastConn) header() http.Header {
	if c.hdr == nil || len(c.hdr) > fastHeaderReuse {
		c.hdr = make(http.Header, 8)
	} else {
		clear(c.hdr)
	}
	return c.hdr
}

// expireNow ends a read or write blocked on the connection: its request
// was canceled. The connection is not reused after (fastWatch).
func (c *fastConn) expireNow() { _ = c.SetDeadline(time.Unix(1, 0)) }

// maxDeadlineSlack bounds how much earlier than asked setDeadline may
// leave a connection's deadline.
const maxDeadlineSlack = time.Second

// setDeadline makes the wait for an answer end by deadline (set at now),
// moving the connection's deadline only when the one it has is later, or
// earlier by more than a 128th of the wait (at most maxDeadlineSlack): a
// deadline is a runtime timer moved under locks, twice (read and write),
// and a connection serving request after request would otherwise move it
// on every one (the default socket timeout is 15 minutes; a timeout then
// comes at most a second early).
func (c *fastConn) setDeadline(now, deadline time.Time) {
	slack := min(deadline.Sub(now)>>7, maxDeadlineSlack)
	if !c.deadline.IsZero() && !c.deadline.After(deadline) && deadline.Sub(c.deadline) <= slack {
		return
	}
	_ = c.SetDeadline(deadline)
	c.deadline = deadline
}

// fastEligible reports whether r, proxied to an instance speaking proto,
// can take the fast client: no body (backendRequestOf sends none), or a
// short one of known length without trailers.
func (s *Server) fastEligible(r *http.Request, proto string) bool {
	if (proto != "http" && proto != "") || isGRPC(r) || isWebsocketUpgrade(r) || !s.fastEnabled() {
		return false
	}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return true
	}
	return r.Trailer == nil && r.ContentLength > 0 && r.ContentLength <= fastMaxBody
}

// roundTrip sends out to its instance, through the fast client when it
// can take it (see above), else through net/http's transport for proto,
// with ctx (out has none: backendRequestOf). hdr is out's headers for
// the fast client (backendRequestOf), nil for net/http's transport.
//
// sent is when forward sent it, read from the real clock (fastEnabled):
// the fast client's deadline is the kernel's, sent plus socket.
func (s *Server) roundTrip(ctx context.Context, out *http.Request, hdr *backendHeaders, proto string, socket time.Duration,
	sent time.Time, cancel canceler) (*http.Response, error) {
	if hdr == nil {
		return s.transports.forProto(proto).RoundTrip(out.WithContext(ctx))
	}
	if socket <= 0 {
		socket = 24 * time.Hour
	}
	resp, err := s.fast.roundTrip(ctx, out, hdr, sent, sent.Add(socket))
	if errors.Is(err, fasthttp.ErrTimeout) {
		cancel.cancelWith(errBackendTimeout)
	}
	return resp, err
}

var fastBodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// errFastRetry marks a failure on a reused connection before any answer
// byte: the instance closed an idle connection; the request is sent
// again on a new one (net/http's transport does the same).
var errFastRetry = errors.New("retry")

// roundTrip is one exchange through the fast client. The answer's body
// must be closed; that returns the connection and the pooled objects.
func (f *fastClients) roundTrip(ctx context.Context, out *http.Request, hdr *backendHeaders, now, deadline time.Time) (*http.Response, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	release := func() { releaseFast(req, resp) } // on failures only: no allocation when it is not called
	req.Header.DisableNormalizing()
	req.Header.SetMethod(out.Method)
	req.Header.SetHost(out.Host)
	var uri [256]byte
	req.Header.SetRequestURIBytes(appendRequestURI(uri[:0], out.URL))
	// The target goes out as set: req.URI() is never asked for, so
	// Request.Write does not parse it and rebuild it (normalizing the
	// path unless told not to), which cost a URI parse per request.
	hdr.each(req.Header.Add)
	if out.Body != nil {
		bp := fastBodyPool.Get().(*[]byte)
		b := *bp
		if n := int(out.ContentLength); cap(b) < n {
			b = make([]byte, n)
		} else {
			b = b[:n]
		}
		_, err := io.ReadFull(out.Body, b)
		if err == nil {
			req.SetBodyRaw(b)
		}
		*bp = b[:0]
		defer fastBodyPool.Put(bp)
		if err != nil {
			release()
			return nil, err
		}
	}
	for attempt := 0; ; attempt++ {
		c, reused, err := f.get(out.URL.Host, now)
		if err != nil {
			release()
			return nil, err
		}
		c.watch.arm(ctx, c.expire)
		err = f.exchange(c, req, resp, reused, now, deadline)
		if err == nil && ctx.Err() != nil {
			err = causeOf(ctx)
		}
		if err != nil {
			c.watch.disarm()
			_ = c.Close()
			if errors.Is(err, errFastRetry) && attempt == 0 && ctx.Err() == nil {
				continue
			}
			release()
			if ctx.Err() != nil {
				return nil, causeOf(ctx)
			}
			return nil, err
		}
		return f.answer(c, out, req, resp, hdr.answer), nil
	}
}

// appendRequestURI appends u.RequestURI() to dst: the method builds
// path "?" query as a new string, on every request with a query.
func appendRequestURI(dst []byte, u *url.URL) []byte {
	if u.Opaque != "" {
		if strings.HasPrefix(u.Opaque, "//") {
			dst = append(append(dst, u.Scheme...), ':')
		}
		dst = append(dst, u.Opaque...)
	} else if p := u.EscapedPath(); p != "" {
		dst = append(dst, p...)
	} else {
		dst = append(dst, '/')
	}
	if u.ForceQuery || u.RawQuery != "" {
		dst = append(append(dst, '?'), u.RawQuery...)
	}
	return dst
}

// exchange writes req on c and reads the answer's header.
func (f *fastClients) exchange(c *fastConn, req *fasthttp.Request, resp *fasthttp.Response, reused bool, now, deadline time.Time) error {
	c.setDeadline(now, deadline)
	if err := req.Write(c.bw); err != nil {
		return retryable(err, reused)
	}
	// The flush is the request's last write (a request larger than bw
	// was written past it before): it returns once the answer is there.
	c.lastWrite = true
	err := c.bw.Flush()
	c.lastWrite = false
	if err != nil {
		return retryable(err, reused)
	}
	resp.Header.SetNoDefaultContentType(true)
	resp.SkipBody = req.Header.IsHead()
	resp.StreamBody = true
	if reused {
		if _, err := c.br.Peek(1); err != nil {
			return retryable(err, reused)
		}
	}
	if err := resp.Read(c.br); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fasthttp.ErrTimeout
		}
		return err
	}
	if sc := resp.StatusCode(); sc < 200 || !h1resp.ValidStatus(sc) {
		// fasthttp skips 100 and 103 but returns 101, which this client's
		// requests never ask for (an upgrade goes through net/http's
		// transport), and a code under 100, which no writer can pass
		// on (the client got no answer at all): not a final answer. A
		// code above 599 is none either (h1resp.ValidStatus). The event
		// loops refuse them all too (loopfront, h1resp).
		return fmt.Errorf("%w: status %d", errNoFinalAnswer, sc)
	}
	return nil
}

// errNoFinalAnswer is an instance's answer whose status is not that of a
// final answer to the request.
var errNoFinalAnswer = errors.New("the instance's answer has no final status")

func retryable(err error, reused bool) error {
	if reused && !errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("%w: %w", errFastRetry, err)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fasthttp.ErrTimeout
	}
	return err
}

// answer makes the net/http response of resp read on c, in body when it
// is not nil.
func (f *fastClients) answer(c *fastConn, out *http.Request, req *fasthttp.Request, resp *fasthttp.Response, body *fastBody) *http.Response {
	if body == nil {
		body = new(fastBody)
	}
	*body = fastBody{req: req, resp: resp, conn: c, owner: f}
	if stream := resp.BodyStream(); stream != nil {
		body.stream = stream
	} else {
		body.bytes = resp.Body()
	}
	if !inMemory(body) {
		// The deadline covered the wait for the answer; the body is
		// bounded by the streaming timeout (s.stream's watchdog cancels
		// ctx) and by the client staying. A body in memory reads nothing
		// more from c, and the next exchange on c sets its own deadline.
		_ = c.SetDeadline(time.Time{})
		c.deadline = time.Time{}
	}
	hr := &body.hrv
	*hr = http.Response{
		Status:        statusNumber(resp.StatusCode()),
		StatusCode:    resp.StatusCode(),
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        c.header(),
		ContentLength: int64(resp.Header.ContentLength()),
		Body:          body,
		Request:       out,
	}
	if hr.ContentLength < 0 {
		hr.ContentLength = -1
	}
	cl := resp.Header.ContentLength()
	strs := strarena.Take()
	var clValue string
	if cl >= 0 {
		clValue = strs.Uint(uint64(cl))
	}
	copyFastHeaders(hr.Header, &resp.Header, clValue, body.slots[:0], strs)
	strs.Done()
	if cl >= 0 && resp.SkipBody {
		hr.ContentLength = 0
	}
	if len(resp.Header.PeekTrailerKeys()) > 0 {
		hr.Trailer = http.Header{} // declared: known before the body, like the transport's
	}
	body.hr = hr
	return hr
}

// fastBody is the answer's body from the fast client.
type fastBody struct {
	conn   *fastConn
	owner  *fastClients
	resp   *fasthttp.Response
	req    *fasthttp.Request // nil once released (Close)
	stream io.Reader
	bytes  []byte
	hr     *http.Response // its Trailer is filled at the end of a chunked body
	done   bool
	hrv    http.Response // what hr points to: one allocation for both
	// slots hold the values of a short answer's header (copyFastHeaders),
	// in the same allocation.
	slots [8]string
}

func (b *fastBody) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	if b.stream == nil {
		n := copy(p, b.bytes)
		b.bytes = b.bytes[n:]
		if len(b.bytes) == 0 {
			b.done = true
			return n, io.EOF
		}
		return n, nil
	}
	n, err := b.stream.Read(p)
	if errors.Is(err, io.EOF) {
		b.done = true
		// Trailers, declared or not, as received.
		for _, k := range b.resp.Header.PeekTrailerKeys() {
			name := string(k)
			for _, v := range b.resp.Header.PeekAllTrailer(name) {
				if b.hr.Trailer == nil {
					b.hr.Trailer = http.Header{}
				}
				b.hr.Trailer.Add(name, string(v))
			}
		}
	}
	return n, err
}

// Close returns the connection to the pool when the body was read to its
// end on a connection that stays open and was not canceled; otherwise it
// closes it.
func (b *fastBody) Close() error {
	if b.req == nil {
		return nil
	}
	canceled := b.conn.watch.disarm()
	_ = b.resp.CloseBodyStream()
	// Nothing reads the answer's header after Close (the connection may
	// serve another exchange at once, which clears it): an idle
	// connection keeps none of its strings, cut from a shared arena, nor
	// their chunk (internal/strarena).
	clear(b.conn.hdr)
	if b.done && !canceled && !b.resp.ConnectionClose() {
		b.owner.put(b.conn, b.owner.clk.Now())
	} else {
		_ = b.conn.Close()
	}
	releaseFast(b.req, b.resp)
	b.req = nil
	return nil
}

// releaseFast returns an exchange's pooled request and response.
func releaseFast(req *fasthttp.Request, resp *fasthttp.Response) {
	fasthttp.ReleaseRequest(req)
	fasthttp.ReleaseResponse(resp)
}

// statusNumber is strconv.Itoa(code), without allocating for the usual
// codes.
func statusNumber(code int) string {
	switch code {
	case http.StatusOK:
		return "200"
	case http.StatusNoContent:
		return "204"
	case http.StatusNotModified:
		return "304"
	case http.StatusNotFound:
		return "404"
	}
	return strconv.Itoa(code)
}
