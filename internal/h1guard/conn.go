package h1guard

import (
	"io"
	"net"
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
}

func (c *Conn) Read(p []byte) (int, error) {
	switch {
	case c.ended:
		return 0, io.EOF
	case len(c.g.pending) > 0:
		n, end := c.g.Filter(p, 0)
		c.ended = end
		return n, nil
	case c.g.st == stPass:
		return c.Conn.Read(p)
	}
	n, err := c.Conn.Read(p)
	m, end := c.g.Filter(p, n)
	if end {
		c.ended = true
		if m == 0 {
			return 0, io.EOF
		}
		return m, nil
	}
	return m, err
}

// CloseWrite half-closes the connection when the one underneath can
// (net/http uses it to close a connection gracefully).
func (c *Conn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
