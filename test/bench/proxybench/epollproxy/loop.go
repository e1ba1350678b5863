//go:build linux

package main

import (
	"bytes"
	"log"
	"net"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"github.com/waiter-go/waiter/test/bench/proxybench/internal/burn"
	"github.com/waiter-go/waiter/test/bench/proxybench/internal/h1frame"
)

// loop is one event loop: its epoll set, the connections in it (by file
// descriptor; only the loop's goroutine touches them) and its backend
// pool.
type loop struct {
	epfd    int
	rc      syscall.RawConn // the epoll fd itself, on the runtime's poller
	backend string

	mu     sync.Mutex
	handed map[int]net.Conn // accepted and in the set, not yet adopted, by fd (mu)

	conns   map[int]*conn
	idle    []*conn // backend connections without a request
	events  []syscall.EpollEvent
	scratch []byte
	work    *burn.Burner // -work; nil: none
	sink    uint64       // work's result
}

// conn is a client or backend connection of a loop.
type conn struct {
	nc      net.Conn // kept open (and so its fd) while the loop uses it
	fd      int
	front   bool   // a client's; false: a backend's
	in, out []byte // read and not relayed; to write once writable
	need    int    // the length of the message whose head was read (0: none yet)
	peer    *conn  // the backend answering this client, or the client this backend answers
	req     h1frame.Message
	close   bool // the client asked Connection: close
	closing bool // a client closes once its output is out
	polling bool // EPOLLOUT is on
}

const readChunk = 64 << 10

func newLoop(backend string) (*loop, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	// Non-blocking, so that os.NewFile puts it on the runtime's poller:
	// the loop then waits for its events as a goroutine waits for a
	// socket, with no thread blocked in epoll_wait (internal/connpark
	// does the same).
	if err := syscall.SetNonblock(epfd, true); err != nil {
		return nil, err
	}
	rc, err := os.NewFile(uintptr(epfd), "epollproxy-epoll").SyscallConn()
	if err != nil {
		return nil, err
	}
	return &loop{epfd: epfd, rc: rc, backend: backend, handed: map[int]net.Conn{}, conns: map[int]*conn{}, events: make([]syscall.EpollEvent, 256)}, nil
}

// run serves the loop's connections' events until the process ends.
func (l *loop) run() {
	for {
		n := l.wait()
		for _, ev := range l.events[:n] {
			fd := int(ev.Fd)
			c := l.conns[fd]
			if c == nil {
				if c = l.adopt(fd); c == nil {
					continue // closed by an earlier event of this batch
				}
			}
			if ev.Events&syscall.EPOLLOUT != 0 {
				l.flush(c)
			}
			if ev.Events&(syscall.EPOLLIN|syscall.EPOLLHUP|syscall.EPOLLERR|syscall.EPOLLRDHUP) != 0 && l.conns[fd] == c {
				l.readable(c)
			}
		}
	}
}

// wait returns the number of ready events in l.events: it polls the
// set without blocking (a raw system call, which leaves the scheduler
// alone) and, when nothing is ready, waits on the runtime's poller for
// the set to be.
func (l *loop) wait() int {
	n := 0
	err := l.rc.Read(func(fd uintptr) bool {
		for {
			r, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_WAIT, fd, uintptr(unsafe.Pointer(&l.events[0])), uintptr(len(l.events)), 0, 0, 0)
			if e == syscall.EINTR {
				continue
			}
			if e != 0 {
				log.Fatalf("epollproxy: epoll_wait: %v", e)
			}
			n = int(r)
			return n > 0
		}
	})
	if err != nil {
		log.Fatalf("epollproxy: %v", err)
	}
	return n
}

// hand puts an accepted connection in the loop's set (from the acceptor:
// epoll_ctl is safe from any thread); the loop adopts it at its first
// event.
func (l *loop) hand(nc net.Conn) {
	fd, err := fdOf(nc)
	if err != nil {
		_ = nc.Close()
		return
	}
	l.mu.Lock()
	l.handed[fd] = nc
	l.mu.Unlock()
	if err := syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}); err != nil {
		l.mu.Lock()
		delete(l.handed, fd)
		l.mu.Unlock()
		_ = nc.Close()
	}
}

// adopt takes the handed connection of fd into the loop's own map.
func (l *loop) adopt(fd int) *conn {
	l.mu.Lock()
	nc, ok := l.handed[fd]
	delete(l.handed, fd)
	l.mu.Unlock()
	if !ok {
		return nil
	}
	c := &conn{nc: nc, fd: fd, front: true}
	l.conns[fd] = c
	return c
}

// dial opens a backend connection and adds it to the set.
func (l *loop) dial() (*conn, error) {
	nc, err := net.Dial("tcp", l.backend)
	if err != nil {
		return nil, err
	}
	fd, err := fdOf(nc)
	if err == nil {
		err = syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)})
	}
	if err != nil {
		_ = nc.Close()
		return nil, err
	}
	c := &conn{nc: nc, fd: fd}
	l.conns[fd] = c
	return c, nil
}

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

// rawIO reads or writes p on the non-blocking fd as a raw system call:
// it never blocks (EAGAIN instead), so it needs none of the scheduler's
// bookkeeping around a call that might.
func rawIO(trap uintptr, fd int, p []byte) (int, error) {
	r, _, e := syscall.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}
