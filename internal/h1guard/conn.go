package h1guard

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
)

// Listener guards every connection it accepts.
type Listener struct{ net.Listener }

// Listen wraps ln: each accepted connection's reads pass through a Guard.
func Listen(ln net.Listener) net.Listener { return Listener{ln} }

// Accept returns the next connection, guarded.
func (l Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c}, nil
}

// Conn is a connection whose reads pass through a Guard. Writes,
// deadlines and the rest go to the connection underneath.
type Conn struct {
	net.Conn
	g     Guard
	ended bool
	// lastByte: streamEnd's byte was read (the stream ends next).
	lastByte bool

	// The x-waiter-* names of heads read but not yet taken by their
	// request's handler (names.go, Request). The server reads ahead of
	// its handlers (pipelined requests), so they queue.
	served atomic.Uint64 // handler calls so far
	queued atomic.Int32  // len(heads), read without mu
	mu     sync.Mutex
	heads  []HeadNames
}

func (c *Conn) Read(p []byte) (int, error) {
	switch {
	case c.ended:
		return c.streamEnd(p)
	case len(c.g.pending) > 0:
		n, end := c.g.Filter(p, 0)
		c.ended = end
		return n, nil
	case c.g.st == stPass:
		return c.Conn.Read(p)
	}
	n, err := c.Conn.Read(p)
	m, end := c.g.Filter(p, n)
	if len(c.g.names.done) > 0 {
		c.queue(c.g.names.take())
	}
	if end {
		c.ended = true
		if m == 0 {
			return c.streamEnd(p)
		}
		return m, nil
	}
	return m, err
}

// streamEnd is a read once the guard has ended the stream (a refused
// head, handed over with its refusal; framing it cannot follow: a bad
// chunk size or chunk end, an unknown transfer coding): one NUL byte,
// then io.EOF. net/http never parses past a refusal; where a body broke,
// the NUL, which no framing takes there (a chunk's CRLF, its size line,
// a trailer line), or the end after it fails the body, so net/http
// answers the request as broken. But the guard reads ahead of net/http's
// parser (pipelined requests), and net/http's server reads a byte in the
// background while the handler of an earlier request runs, to learn
// whether the client went away: an io.EOF there would cancel that
// request as if the client had gone (it was answered with an empty 200
// instead of its instance's answer). A byte it keeps for the next parse
// instead, which reaches it only past the requests before the end.
func (c *Conn) streamEnd(p []byte) (int, error) {
	if c.lastByte || len(p) == 0 {
		return 0, io.EOF
	}
	c.lastByte = true
	p[0] = 0
	return 1, nil
}

// CloseWrite half-closes the connection when the one underneath can
// (net/http uses it to close a connection gracefully).
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// queue makes finished heads' names available to their handlers.
func (c *Conn) queue(done []HeadNames) {
	c.mu.Lock()
	c.heads = append(c.heads, done...)
	c.queued.Store(int32(len(c.heads)))
	c.mu.Unlock()
}

// Request is called once for every request the server's handler is
// called for on this connection, in order (net/http calls an HTTP/1.1
// connection's handlers one after another, in the order of the heads). It
// returns the x-waiter-* header names of that request as sent, or nil
// when it sent none or they are unknown. Without a queued head it only
// counts.
func (c *Conn) Request() []string {
	n := c.served.Add(1)
	if c.queued.Load() == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	i := 0
	for i < len(c.heads) && c.heads[i].Head < n {
		i++ // a head whose handler was not reached (cannot happen, but never hand it on)
	}
	var names []string
	if i < len(c.heads) && c.heads[i].Head == n {
		if c.heads[i].Complete {
			names = c.heads[i].Names
		}
		i++
	}
	c.heads = c.heads[i:]
	c.queued.Store(int32(len(c.heads)))
	return names
}
