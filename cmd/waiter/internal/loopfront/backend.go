//go:build linux

package loopfront

import (
	"errors"
	"net"
	"net/http"
	"syscall"
	"time"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/internal/h1resp"
	"github.com/waiter-go/waiter/internal/headername"
	"github.com/waiter-go/waiter/internal/strarena"
)

// backend is a connection to an instance in a loop: pooled while idle,
// held by one client's request from sending it to the end of the answer.
type backend struct {
	fdConn
	addr string
	deadline

	in []byte
	cl *client // the request's client (nil: idle)
	// fresh: dialed for this request (a reused one that fails before any
	// answer byte is retried on a fresh one, as the goroutine front's
	// fast client does); got: an answer byte came.
	fresh, got bool
	// The answer: its head once parsed (headDone), the body bytes left
	// of a Content-Length body, the chunked scanner, the trailer section.
	headDone bool
	head     h1resp.Head
	fields   []h1resp.Field
	vals     []string // backing of the answer header's one-value slices
	// bodyWriter is writeBody, for the chunked scanner.
	bodyWriter func([]byte)
	left       int64
	chunk      h1resp.Chunked
	trailer    []byte
	dead       bool
	idleSince  time.Time
}

// idleTimeout is how long an idle pooled connection is kept (the fast
// client's fastIdleTimeout, Waiter's pool idle timeout), maxIdle how many
// per address.
const (
	idleTimeout = 10 * time.Second
	maxIdle     = 128
	maxTrailer  = 64 << 10
)

func (l *loop) newBackend(nc net.Conn, addr string) (*backend, error) {
	fd, ok := fdOf(nc)
	if !ok {
		_ = nc.Close()
		return nil, errors.New("loopfront: no descriptor for the instance's connection")
	}
	b := &backend{fdConn: fdConn{l: l, nc: nc, fd: fd, reading: true}, addr: addr}
	if err := l.add(fd, b); err != nil {
		_ = nc.Close()
		return nil, err
	}
	return b, nil
}

// takeIdle returns an idle connection to addr, or nil.
func (l *loop) takeIdle(addr string) *backend {
	bs := l.idle[addr]
	for len(bs) > 0 {
		b := bs[len(bs)-1]
		bs = bs[:len(bs)-1]
		l.idle[addr] = bs
		if !b.dead {
			return b
		}
	}
	return nil
}

// keep pools b, idle, for the next request to its address.
func (b *backend) keep() {
	b.cl = nil
	bs := b.l.idle[b.addr]
	if len(bs) >= maxIdle || b.l.draining {
		b.close()
		return
	}
	b.idleSince = b.l.clock()
	b.l.idle[b.addr] = append(bs, b)
	b.l.timers.set(b, b.idleSince.Add(idleTimeout))
	b.l.putBuf(b.in)
	b.in = nil
}

func (b *backend) timer() *deadline { return &b.deadline }

// start sends client c's request on b.
func (b *backend) start(c *client) {
	b.cl, b.got, b.headDone, b.left, b.chunk, b.trailer = c, false, false, 0, h1resp.Chunked{}, b.trailer[:0]
	b.l.timers.set(b, b.l.clock().Add(c.k.call.SocketTimeout()))
	b.out = c.k.call.AppendRequest(b.out[:0])
	out := b.out
	b.out = b.out[:0]
	b.write(out)
}

func (b *backend) writable() { b.flush() }

// readable reads the instance's answer and relays it.
func (b *backend) readable() {
	if b.in == nil {
		b.in = b.l.takeBuf()
	}
	held := len(b.in)
	var alive bool
	var e syscall.Errno
	b.in, alive, e = b.fill(b.in, maxOut)
	b.got = b.got || len(b.in) > held
	if !alive {
		b.ended(e)
		return
	}
	if b.cl == nil {
		b.close() // an idle connection the instance wrote to: not to be trusted
		return
	}
	b.relay()
}

// relay passes what b holds of the answer to the client's writer.
func (b *backend) relay() {
	c := b.cl
	if !b.headDone && !b.parseHead() {
		return
	}
	switch b.head.Body {
	case h1resp.BodyNone:
		b.complete()
		return
	case h1resp.BodyLength:
		k := min(int64(len(b.in)), b.left)
		if k > 0 {
			b.writeBody(b.in[:k])
			b.left -= k
			b.in = b.in[:copy(b.in, b.in[k:])]
		}
		if b.left == 0 {
			b.complete()
			return
		}
	case h1resp.BodyChunked:
		if b.bodyWriter == nil {
			b.bodyWriter = b.writeBody // a method value made once, not per read
		}
		n, done, err := b.chunk.ScanData(b.in, b.bodyWriter, b.noteTrailer)
		b.in = b.in[:copy(b.in, b.in[n:])]
		if err != nil || len(b.trailer) > maxTrailer {
			b.broke()
			return
		}
		if done {
			b.passTrailers()
			b.complete()
			return
		}
		if c.k.body > 0 {
			// Not before the body's first bytes: the head's Content-Type,
			// when the instance sent none, is sniffed from them, as the
			// goroutine front's writer does (it commits the head at the
			// first write); flushed when only the head had come, it went
			// without one.
			c.k.resp.Writer().(http.Flusher).Flush()
		}
	case h1resp.BodyUntilClose:
		if len(b.in) > 0 {
			b.writeBody(b.in)
			b.in = b.in[:0]
			c.k.resp.Writer().(http.Flusher).Flush()
		}
	}
	c.write(c.k.pending())
	b.streaming()
	if len(c.out) > maxOut {
		b.pause()
	}
}

// writeBody passes a piece of the answer's body on: after a head that
// went by RelayHead as it came (the kit's raw bytes, which the client
// writes with the last of the answer when it ends in the same read, so
// that a small answer is one write), else to the client's writer.
func (b *backend) writeBody(p []byte) {
	k := b.cl.k
	if k.relayed {
		k.raw = append(k.raw, p...)
	} else {
		_, _ = k.resp.Writer().Write(p)
	}
	k.body += int64(len(p))
}

// parseHead reads the answer's head once it is whole; false while it is
// not, or when the exchange ended on it.
func (b *backend) parseHead() bool {
	c := b.cl
	for {
		h, ok, err := h1resp.ParseHead(b.in, c.k.call.Head(), b.fields[:0], c.l.f.cfg.MaxHeaderBytes)
		if err != nil {
			b.failed(waiterhttp.LoopBackendFailed, err)
			return false
		}
		if !ok {
			return false
		}
		b.fields = h.Fields
		if h.Status >= 100 && h.Status < 200 {
			if h.Status == http.StatusSwitchingProtocols {
				b.failed(waiterhttp.LoopBackendFailed, errors.New("loopfront: the instance switched protocols unasked"))
				return false
			}
			b.in = b.in[:copy(b.in, b.in[h.N:])] // informational: the final answer follows
			continue
		}
		b.head, b.headDone = h, true
		break
	}
	b.left = b.head.Length
	if b.head.Body == h1resp.BodyLength {
		// An answer of known length passes as it came when it can
		// (RelayHead): no header map, no framing.
		k := c.k
		if k.raw, k.relayClose, k.relayed = k.call.RelayHead(k.raw[:0], b.head.Status, b.head.Fields, b.head.Length); k.relayed {
			b.in = b.in[:copy(b.in, b.in[b.head.N:])]
			return true
		}
	}
	// One string for the whole head, cut from a shared arena (no
	// allocation of its own, internal/strarena): every name and value is
	// cut from it (the writer keeps them until the answer's head is
	// written, Finish drops them).
	strs := strarena.Take()
	text := strs.String(b.in[:b.head.N])
	strs.Done()
	base := cap(b.in)
	hdr := c.k.call.AnswerHeader()
	if cap(b.vals) < len(b.head.Fields) {
		b.vals = make([]string, len(b.head.Fields))
	}
	vals := b.vals[:len(b.head.Fields)]
	for i, f := range b.head.Fields {
		name := text[base-cap(f.Name) : base-cap(f.Name)+len(f.Name)]
		vals[i] = text[base-cap(f.Value) : base-cap(f.Value)+len(f.Value)]
		k := headername.Canonical(name)
		if vv, ok := hdr[k]; ok {
			hdr[k] = append(vv[:len(vv):len(vv)], vals[i]) // a repeated field: a slice of its own
			continue
		}
		hdr[k] = vals[i : i+1 : i+1]
	}
	b.in = b.in[:copy(b.in, b.in[b.head.N:])]
	c.k.call.Answer(b.head.Status, hdr)
	return true
}

// noteTrailer keeps the trailer section's bytes as the scanner passes
// them.
func (b *backend) noteTrailer(p []byte) { b.trailer = append(b.trailer, p...) }

// passTrailers gives the answer's trailers to the writer.
func (b *backend) passTrailers() {
	rest := b.trailer
	for len(rest) > 0 {
		line, after, _ := cutCRLF(rest)
		rest = after
		name, value, ok := cutColon(line)
		if !ok {
			continue
		}
		b.cl.k.call.Trailer(headername.Canonical(string(name)), string(trimOWS(value)))
	}
}

// streaming arms the wait for the body's next bytes.
func (b *backend) streaming() {
	var at time.Time
	if d := b.cl.k.call.StreamingTimeout(); d > 0 {
		at = b.l.clock().Add(d)
	}
	b.l.timers.set(b, at)
}

// complete ends an answer read whole: b goes back to the pool unless the
// instance closes it, and the client goes on.
func (b *backend) complete() {
	c := b.cl
	b.l.timers.set(b, time.Time{})
	if b.head.Close || len(b.in) > 0 {
		b.close()
	} else {
		b.keep()
	}
	c.answered(waiterhttp.LoopComplete)
}

// failed answers the client with Waiter's error for an exchange that
// failed before the answer started; b is closed.
func (b *backend) failed(f waiterhttp.LoopFailure, err error) {
	c := b.cl
	b.close()
	c.k.call.Failed(f, err)
	c.answered(waiterhttp.LoopComplete)
}

// broke aborts an answer that broke off after its head: the client's
// connection is closed without the end of the body.
func (b *backend) broke() {
	c := b.cl
	b.close()
	c.answered(waiterhttp.LoopBackendBroke)
}

// ended handles the instance closing the connection (or its failure).
func (b *backend) ended(e syscall.Errno) {
	c := b.cl
	switch {
	case c == nil:
		b.close()
	case !b.got && !b.fresh:
		// A pooled connection the instance had closed: the request goes
		// again on a new one.
		b.close()
		c.be = nil
		c.dial(c.k.call.Backend())
	case !b.headDone:
		var err error = errors.New("loopfront: the instance closed the connection")
		if e != 0 {
			err = e
		}
		b.failed(waiterhttp.LoopBackendFailed, err)
	case b.head.Body == h1resp.BodyUntilClose:
		b.head.Close = true
		b.complete()
	default:
		b.broke()
	}
}

// expire: the instance did not answer within the socket timeout (504),
// stalled past the streaming timeout (the answer is aborted), or an idle
// pooled connection reached its idle timeout.
func (b *backend) expire(time.Time) {
	switch {
	case b.cl == nil:
		b.close()
	case !b.headDone:
		b.failed(waiterhttp.LoopBackendTimeout, errors.New("loopfront: socket timeout"))
	default:
		b.broke()
	}
}

// pause stops reading the instance while the client has too much to
// write; resume starts again once it has written it.
func (b *backend) pause() { b.watchReads(false) }

func (b *backend) resume() {
	b.watchReads(true)
	if len(b.in) > 0 {
		b.relay()
	}
}

// close takes b out of its loop and closes it.
func (b *backend) close() {
	if b.dead {
		return
	}
	b.dead, b.deadline.gone = true, true
	b.l.forget(b.fd)
	_ = b.nc.Close()
	b.cl = nil
}
