//go:build linux

package main

import (
	"bytes"
	"syscall"

	"github.com/waiter-go/waiter/test/bench/proxybench/internal/h1frame"
)

// The relay: how a loop moves a request from its client to a backend
// connection and the answer back, all on the loop's goroutine.

// readable reads what c has, then relays what is whole.
func (l *loop) readable(c *conn) {
	for {
		if cap(c.in)-len(c.in) < readChunk {
			c.in = append(c.in, make([]byte, readChunk)...)[:len(c.in)]
		}
		room := cap(c.in) - len(c.in)
		n, err := rawIO(syscall.SYS_READ, c.fd, c.in[len(c.in):cap(c.in)])
		if n > 0 {
			c.in = c.in[:len(c.in)+n]
			if n < room {
				break // drained: the set is level-triggered, so a read more would only say EAGAIN
			}
			continue
		}
		if n == 0 || errno(err) != syscall.EAGAIN {
			l.close(c) // the peer closed, or the socket failed
			return
		}
		break
	}
	if c.front {
		l.serve(c)
	} else {
		l.answer(c)
	}
}

// whole frames the message at the front of c.in once it is whole.
func whole(c *conn, request bool) (h1frame.Message, bool) {
	if c.need > 0 && len(c.in) < c.need {
		return h1frame.Message{}, false
	}
	m, ok := h1frame.Frame(c.in, request)
	if !ok {
		c.need = m.N
		return m, false
	}
	c.need = 0
	return m, true
}

// serve sends a client's next whole request to an idle backend
// connection, dialing one when none is idle.
func (l *loop) serve(f *conn) {
	if f.peer != nil || f.closing {
		return
	}
	m, ok := whole(f, true)
	if !ok {
		return
	}
	if m.Bad {
		l.write(f, []byte("HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		f.closing = true
		l.closeIfDone(f)
		return
	}
	f.req = m
	if l.work != nil {
		l.sink = l.work.Burn(l.sink)
	}
	var b *conn
	if n := len(l.idle); n > 0 {
		b, l.idle = l.idle[n-1], l.idle[:n-1]
	} else {
		var err error
		if b, err = l.dial(); err != nil {
			l.write(f, []byte("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			f.closing = true
			l.closeIfDone(f)
			return
		}
	}
	l.send(f, b)
}

// send writes f's framed request to b without its Connection header: the
// backend connection stays open whatever the client asked.
func (l *loop) send(f, b *conn) {
	m := f.req
	if m.ConnStart < 0 {
		l.write(b, f.in[:m.N])
	} else {
		l.scratch = append(append(l.scratch[:0], f.in[:m.ConnStart]...), f.in[m.ConnEnd:m.N]...)
		l.write(b, l.scratch)
	}
	f.in = f.in[:copy(f.in, f.in[m.N:])]
	f.peer, f.close, b.peer = b, m.Close, f
}

// answer relays a backend's whole response to its client.
func (l *loop) answer(b *conn) {
	m, ok := whole(b, false)
	if !ok {
		return
	}
	f := b.peer
	if f == nil || m.Bad {
		if f != nil {
			f.peer, b.peer = nil, nil
			l.write(f, []byte("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			f.closing = true
			l.closeIfDone(f)
		}
		l.close(b)
		return
	}
	if f.close {
		// Say so, as the client asked: a response that does not would
		// have it wait for another on the same connection.
		line := bytes.Index(b.in, []byte("\r\n")) + 2
		l.scratch = append(append(append(l.scratch[:0], b.in[:line]...), "Connection: close\r\n"...), b.in[line:m.N]...)
		l.write(f, l.scratch)
	} else {
		l.write(f, b.in[:m.N])
	}
	b.in = b.in[:copy(b.in, b.in[m.N:])]
	f.peer, b.peer = nil, nil
	if m.Close {
		l.close(b)
	} else {
		l.idle = append(l.idle, b)
	}
	if f.close {
		f.closing = true
		l.closeIfDone(f)
		return
	}
	if len(f.in) > 0 {
		l.serve(f)
	}
}

// write sends p to c now, keeping what the socket does not take for when
// it is writable.
func (l *loop) write(c *conn, p []byte) {
	if len(c.out) > 0 {
		c.out = append(c.out, p...)
		return
	}
	for len(p) > 0 {
		n, err := rawIO(syscall.SYS_WRITE, c.fd, p)
		if n > 0 {
			p = p[n:]
			continue
		}
		if errno(err) == syscall.EAGAIN {
			break
		}
		return // a failed socket: its read side reports it
	}
	if len(p) > 0 {
		c.out = append(c.out, p...)
		l.poll(c, true)
	}
}

// flush writes c.out once c is writable.
func (l *loop) flush(c *conn) {
	out := c.out
	c.out = nil
	l.write(c, out)
	if len(c.out) == 0 {
		l.poll(c, false)
		l.closeIfDone(c)
	}
}

// poll turns EPOLLOUT on or off for c.
func (l *loop) poll(c *conn, out bool) {
	if c.polling == out {
		return
	}
	c.polling = out
	ev := uint32(syscall.EPOLLIN | syscall.EPOLLRDHUP)
	if out {
		ev |= syscall.EPOLLOUT
	}
	_ = syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_MOD, c.fd, &syscall.EpollEvent{Events: ev, Fd: int32(c.fd)})
}

// closeIfDone closes a client that is closing once its output is out.
func (l *loop) closeIfDone(c *conn) {
	if c.closing && len(c.out) == 0 {
		l.close(c)
	}
}

// close takes c out of the loop and closes it; a backend connection
// answering a client takes the client with it (its answer has nowhere to
// come from), and a client's backend connection goes too (its answer has
// nowhere to go).
func (l *loop) close(c *conn) {
	if l.conns[c.fd] != c {
		return
	}
	_ = syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_DEL, c.fd, nil)
	delete(l.conns, c.fd)
	_ = c.nc.Close()
	if !c.front {
		l.idle = remove(l.idle, c)
	}
	if p := c.peer; p != nil {
		c.peer, p.peer = nil, nil
		l.close(p)
	}
}

func remove(s []*conn, c *conn) []*conn {
	for i, x := range s {
		if x == c {
			return append(s[:i], s[i+1:]...)
		}
	}
	return s
}
