//go:build linux

package loopfront

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"time"

	"github.com/waiter-go/waiter"
	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/internal/h1serve"
	"github.com/waiter-go/waiter/internal/rawio"
)

// client is a client connection in a loop: the bytes read from it and
// not served yet, the answers not written yet, and the request it is
// serving.
type client struct {
	fdConn
	deadline

	in []byte
	// head is the length of the head being served at the start of in (0:
	// none); headStart when the first byte of a head not whole yet came.
	head      int
	headStart time.Time

	remote string // the client's address
	// k is what serving a request takes (call record, parser, writer),
	// held from a request's head to the end of its answer only: an idle
	// connection holds none.
	k      *kit
	notify func(waiter.Grant, error) // c.admission, made once

	state cstate
	seq   uint64   // the request's number: a dial's result for an older one is stale
	be    *backend // the instance's connection serving the request
	// closeAfter: close once out is written; handing: hand the
	// connection off then; queued: a request of it waited for an
	// admission (free).
	closeAfter, handing, dead, queued bool
	// spoiled: serving it panicked (abandon); the record is not kept.
	spoiled bool
}

type cstate uint8

const (
	cIdle     cstate = iota // no request in progress
	cQueued                 // waiting for the engine's admission
	cDialing                // waiting for a connection to the instance
	cExchange               // the instance's connection has the request
)

// Bounds on what a client holds: past maxIn bytes read ahead of the
// request being served, the loop stops reading it until that request
// ends; past maxOut bytes not yet written to it, the instance's
// connection is not read until they are.
const (
	maxIn    = 64 << 10
	maxOut   = 256 << 10
	readSize = 16 << 10
)

// adoptFD takes a new connection into the loop: fd, in the set already,
// and nc, its net.Conn, or nil for a socket the loop accepted itself.
func (l *loop) adoptFD(fd int, nc net.Conn, remote string) {
	c := l.newClient()
	c.nc, c.fd, c.reading = nc, fd, true
	c.remote = remote
	l.socks.set(fd, c)
	l.clients.Add(1)
	c.idle()
}

// newClient returns a client record: a free one (with its call record,
// parser and answer writer) or a new one.
func (l *loop) newClient() *client {
	if c, ok := pop(&l.freeClients); ok {
		return c
	}
	c := &client{fdConn: fdConn{l: l}}
	c.notify = c.admission
	return c
}

// kit is what serving one request takes; a loop keeps the kits of the
// requests that ended for the next ones.
type kit struct {
	call   *waiterhttp.LoopCall
	parser h1serve.Head
	resp   h1serve.Buffered
	base   http.Request // the requests' context (the edge's, ConnContext) and remote address
	// relayed: the answer passes as it came (RelayHead), not through
	// resp; raw holds its bytes not written yet, relayClose whether the
	// connection closes after it.
	relayed, relayClose bool
	raw                 []byte
	// body counts the bytes of the instance's body passed on (the access
	// log's).
	body int64
}

// finish ends the kit's request (end says how): the call is finished
// with the bytes of the instance's body passed on, and the answer's
// writer and relay state are emptied for the next request.
func (k *kit) finish(end waiterhttp.LoopEnd) {
	k.call.Finish(end, k.body)
	k.resp.Done()
	k.raw, k.relayed, k.relayClose, k.body = k.raw[:0], false, false, 0
}

// pending takes the bytes of the answer ready for the client: the
// relayed ones, or what the writer framed so far. They are the kit's
// until its next call.
func (k *kit) pending() []byte {
	if !k.relayed {
		return k.resp.Take()
	}
	p := k.raw
	k.raw = k.raw[:0]
	return p
}

// takeKit returns a free kit or a new one.
func (l *loop) takeKit() *kit {
	if k, ok := pop(&l.freeKits); ok {
		return k
	}
	k := &kit{call: l.f.edge.NewLoopCall(l.decisions)}
	k.parser.Strings, k.parser.Names = &l.heads, &l.names
	k.base = *k.base.WithContext(l.f.edge.ConnContext(context.Background()))
	return k
}

// maxFreeKits bounds the kits a loop keeps; maxKeptRaw the relay buffer
// a kept kit holds on to; the last maxWarmKits kits freed keep their
// writer's buffers too (h1serve's Buffered.Done, about 8 KB each: the
// kits the next requests take, LIFO).
const (
	maxFreeKits = 1024
	maxKeptRaw  = 16 << 10
	maxWarmKits = 64
)

// putKit gives the client's kit back, once its request ended.
func (c *client) putKit() {
	k := c.k
	if k == nil {
		return
	}
	c.k = nil
	k.base.RemoteAddr = ""
	if cap(k.raw) > maxKeptRaw {
		k.raw = nil
	}
	if len(c.l.freeKits) >= maxWarmKits {
		// Past the kits in use a moment ago: no buffers kept, nor the
		// last head's strings, which would keep their arena chunk alive
		// for as long as the kit lies unused.
		k.resp.Release()
		k.parser.Forget()
	}
	if len(c.l.freeKits) < maxFreeKits {
		c.l.freeKits = append(c.l.freeKits, k)
	}
}

// maxFreeClients bounds the client records a loop keeps for new
// connections (a record is a few hundred bytes: the kit is apart).
const maxFreeClients = 256

// free keeps c's record for a new connection: a connection per request
// then costs no record, parser, writer or context of its own. A client
// that ever queued is not kept: an admission's answer may still be on
// its way to it through the mailbox.
func (l *loop) free(c *client) {
	if c.queued || c.spoiled || len(l.freeClients) >= maxFreeClients {
		return
	}
	// A dial's result for an earlier request must stay stale (seq), and
	// the heap's entries for the record are still there (entries).
	seq, entries := c.seq, c.deadline.entries
	*c = client{fdConn: fdConn{l: l}, notify: c.notify, seq: seq}
	c.deadline = deadline{entries: entries, earliest: never}
	l.freeClients = append(l.freeClients, c)
}

func (c *client) timer() *deadline { return &c.deadline }

// readable reads what the client sent, then serves it.
func (c *client) readable() {
	if c.in == nil {
		c.in = c.l.takeBuf()
	}
	// Between requests, read up to a head past the bound (which next
	// hands to the goroutine front to refuse); during one, maxIn ahead.
	limit := c.head + maxIn
	if c.state == cIdle {
		limit = max(limit, c.l.f.cfg.MaxHeaderBytes+1)
	}
	var alive bool
	if c.in, alive, _ = c.fill(c.in, limit); !alive {
		c.gone() // closed, or the socket failed
		return
	}
	if len(c.in) >= limit && c.state != cIdle {
		c.watchReads(false) // enough read ahead: wait for the request in progress
	}
	if c.state == cIdle {
		c.next()
	}
}

// writable writes what is pending.
func (c *client) writable() {
	if c.flush() {
		c.drained()
	}
}

// drained goes on once the client's output is written.
func (c *client) drained() {
	switch {
	case c.closeAfter:
		if len(c.in) > 0 {
			// The client sent more than the request answered last
			// (pipelined after Connection: close, or behind a request
			// that ended in error): closed with unread bytes, the socket
			// would reset the connection, which can lose the answer's
			// bytes not yet sent. End the stream first.
			rawio.EndStream(uintptr(c.fd))
		}
		c.close()
	case c.handing:
		c.handoff()
	case c.be != nil && !c.be.reading:
		c.be.resume()
	case c.state == cIdle:
		c.next()
	}
}

// idle waits for the next request (its first bytes, within IdleTimeout),
// holding no buffer meanwhile.
func (c *client) idle() {
	c.putKit()
	if c.in != nil && len(c.in) == 0 {
		c.l.putBuf(c.in)
		c.in = nil
	}
	if c.out != nil && len(c.out) == 0 {
		c.l.putBuf(c.out)
		c.out = nil
	}
	c.headStart = time.Time{}
	var at time.Time
	if d := c.l.f.cfg.IdleTimeout; d > 0 {
		at = c.l.clock().Add(d)
	}
	c.l.timers.set(c, at)
}

// next serves the next request read from the client, once it is whole.
func (c *client) next() {
	if c.dead || c.closeAfter || c.handing || len(c.out) > maxOut {
		return
	}
	c.watchReads(true)
	if len(c.in) == 0 {
		c.idle()
		return
	}
	cfg := &c.l.f.cfg
	end := bytes.Index(c.in, crlfcrlf)
	if end < 0 || end+len(crlfcrlf) > cfg.MaxHeaderBytes {
		if len(c.in) > cfg.MaxHeaderBytes {
			c.handoff() // the goroutine front refuses it
			return
		}
		if end < 0 && bareLFHead(c.in) {
			// Whole, by the lines a bare LF ends, which net/http (and
			// nginx) accept: no CRLFCRLF will come, so waiting for one
			// would hold the client until the head's timeout.
			c.handoff()
			return
		}
		if c.headStart.IsZero() {
			c.headStart = c.l.clock()
			var at time.Time
			if cfg.ReadHeaderTimeout > 0 {
				at = c.headStart.Add(cfg.ReadHeaderTimeout)
			}
			c.l.timers.set(c, at)
		}
		return
	}
	c.l.timers.set(c, time.Time{})
	c.headStart = time.Time{} // the head is whole: the next one's time starts with its own first bytes
	if c.k == nil {
		c.k = c.l.takeKit()
		c.k.base.RemoteAddr = c.remote
	}
	r, n, ok := c.k.parser.ParseTo(c.in, end, &c.k.base)
	fields := c.k.parser.Fields()
	if !ok || !c.l.f.edge.LoopRoutable(r, fields) {
		c.handoff()
		return
	}
	c.head, c.seq = n, c.seq+1
	c.k.resp.Reset(r)
	switch c.k.call.Begin(c.k.resp.Writer(), r, fields, c.notify) {
	case waiterhttp.LoopHandoff:
		c.k.resp.Done()
		c.head = 0
		c.handoff()
	case waiterhttp.LoopAnswered:
		c.answered(waiterhttp.LoopComplete)
	case waiterhttp.LoopQueued:
		c.state, c.queued = cQueued, true
	case waiterhttp.LoopForward:
		c.forward()
	}
}

var crlfcrlf = []byte("\r\n\r\n")

// bareLFHead reports whether buf holds an empty line ended by LF alone,
// or a line so ended followed by an empty one: a whole head to a reader
// that, as net/http's does, takes a bare LF for a line's end.
func bareLFHead(buf []byte) bool {
	return bytes.Contains(buf, lflf) || bytes.Contains(buf, lfcrlf)
}

var lflf, lfcrlf = []byte("\n\n"), []byte("\n\r\n")

// admission is the notify of a queued request's admission: it runs on
// the engine's goroutine, and posts the answer to the loop.
func (c *client) admission(g waiter.Grant, err error) {
	c.l.post(mail{call: c, grant: g, err: err})
}

// admitted takes a queued request's admission, on the loop.
func (c *client) admitted(_ uint64, g waiter.Grant, err error) {
	if c.dead || c.state != cQueued {
		return // withdrawn: CancelAdmission ran before the client went
	}
	switch c.k.call.Admitted(g, err) {
	case waiterhttp.LoopForward:
		c.forward()
	default:
		c.answered(waiterhttp.LoopComplete)
	}
}

// forward sends the request to its instance on the connection of the
// health check that just found the instance ready (first: an idle one to
// its address may be to an instance that was there before), on an idle
// pooled connection, or on one it dials.
func (c *client) forward() {
	addr := c.k.call.Backend()
	if nc := c.k.call.WarmConn(); nc != nil {
		// Not fresh: like a pooled one, the instance may have closed it,
		// and a request that fails on it before any answer is retried on
		// a connection dialed for it.
		if b, err := c.l.newBackend(nc, addr); err == nil {
			c.send(b)
			return
		}
	}
	if b := c.l.takeIdle(addr); b != nil {
		c.send(b)
		return
	}
	c.dial(addr)
}

// dial connects to the instance off the loop; the loop gets the
// connection through its mailbox.
func (c *client) dial(addr string) {
	c.state = cDialing
	l, seq, timeout := c.l, c.seq, c.k.call.ConnectTimeout()
	go func() {
		nc, err := net.DialTimeout("tcp", addr, timeout)
		l.post(mail{dial: true, call: c, seq: seq, dialed: nc, err: err})
	}()
}

// dialed takes a dial's result, on the loop.
func (c *client) dialed(seq uint64, nc net.Conn, err error) {
	if c.dead || c.state != cDialing || seq != c.seq {
		if nc != nil {
			_ = nc.Close()
		}
		return
	}
	if err != nil {
		c.k.call.Failed(waiterhttp.LoopConnectFailed, err)
		c.answered(waiterhttp.LoopComplete)
		return
	}
	b, err := c.l.newBackend(nc, c.k.call.Backend())
	if err != nil {
		c.k.call.Failed(waiterhttp.LoopConnectFailed, err)
		c.answered(waiterhttp.LoopComplete)
		return
	}
	b.fresh = true
	c.send(b)
}

// send writes the request to the instance's connection b.
func (c *client) send(b *backend) {
	c.state, c.be = cExchange, b
	b.start(c)
}

// answered ends the request: what the writer holds goes to the client,
// the call finishes (end says how), and the next request is served.
func (c *client) answered(end waiterhttp.LoopEnd) {
	c.l.f.served.Add(1) // before the answer is out: a client that reads it sees it counted
	k := c.k
	if k.relayed {
		c.l.f.relayed.Add(1)
	}
	if end == waiterhttp.LoopComplete && !k.relayed {
		out, closeAfter := k.resp.Finish()
		c.write(out)
		c.closeAfter = c.closeAfter || closeAfter
	} else {
		// A relayed answer's last bytes, or an aborted one's: what was
		// framed goes out, but no end of the body, so that the client
		// sees a broken transfer, not a short one.
		c.write(k.pending())
		c.closeAfter = c.closeAfter || k.relayClose || end != waiterhttp.LoopComplete
	}
	k.finish(end)
	c.in = c.in[:copy(c.in, c.in[c.head:])]
	c.head, c.state, c.be = 0, cIdle, nil
	if len(c.out) == 0 {
		c.drained()
	}
}

// gone handles a client that closed or failed: its request, if any, ends
// as the client's error.
func (c *client) gone() {
	if c.state != cIdle {
		if c.be != nil {
			c.be.close()
			c.be = nil
		}
		c.k.finish(waiterhttp.LoopClientGone)
		c.state = cIdle
	}
	c.close()
}

// abort ends the client as the loop stops.
func (c *client) abort() { c.gone() }

// expire: a head that did not come whole in time, or an idle connection
// past its idle timeout, is closed (as the goroutine front does).
func (c *client) expire(time.Time) {
	if c.state == cIdle {
		c.close()
	}
}

// close takes the client out of its loop and closes it.
func (c *client) close() {
	if c.dead {
		return
	}
	c.dead, c.deadline.gone = true, true
	c.l.forget(c.fd)
	c.l.clients.Add(-1)
	closeSocket(c.nc, c.fd)
	c.dropBuffers()
	c.putKit()
	c.l.free(c)
}

// dropBuffers gives the client's buffers back to its loop.
func (c *client) dropBuffers() {
	if c.in != nil {
		c.l.putBuf(c.in[:0])
	}
	if c.out != nil {
		c.l.putBuf(c.out[:0])
	}
	c.in, c.out = nil, nil
}

// handoff gives the connection, with what was read of it, to the
// goroutine front once what the loop wrote to it is out.
func (c *client) handoff() {
	if len(c.out) > 0 {
		c.handing = true
		return
	}
	c.dead, c.deadline.gone = true, true
	c.l.remove(c.fd)
	c.l.clients.Add(-1)
	pending := append([]byte(nil), c.in...) // the goroutine front's from now on
	nc, fd := c.nc, c.fd
	c.dropBuffers()
	c.putKit()
	c.l.free(c)
	c.l.f.giveUp(nc, fd, pending)
}
