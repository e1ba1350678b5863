//go:build linux

package rawio

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
)

// Conn is a *net.TCPConn whose Read and Write make raw system calls,
// and whose ReadFrom copies in larger chunks (readfrom.go); everything
// else (deadlines, addresses, Close, CloseWrite) is the TCPConn's.
type Conn struct {
	*net.TCPConn
	rc syscall.RawConn

	// The callbacks handed to rc are made once (a method value made per
	// call would be allocated); each direction's mutex guards the
	// arguments and results they pass through r and w, as the socket's
	// own lock serializes the calls anyway.
	rmu, wmu        sync.Mutex
	r, w            op
	readFn, writeFn func(fd uintptr) bool
	awaitFn         func(fd uintptr) bool
	awaiting        bool   // WriteAwait's write is done: the next call of awaitFn is the answer's readiness
	written         func() // WriteAwait's
}

// op is one Read's or Write's buffer and outcome.
type op struct {
	p     []byte
	n     int
	errno syscall.Errno
}

// Wrap returns c as a Conn when it is a TCP connection, and c itself
// otherwise (a TLS connection, a pipe in a test).
func Wrap(c net.Conn) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return c
	}
	rw := &Conn{TCPConn: tc, rc: rc}
	rw.readFn, rw.writeFn, rw.awaitFn = rw.read, rw.write, rw.writeAwait
	return rw
}

// Close closes the connection as (*net.TCPConn).Close does, first
// ending the stream (FIN, after what was written) and dropping what the
// peer sent that nothing read (up to maxDropOnClose bytes). Linux
// resets a connection closed with unread bytes instead of ending it: the
// answer just written (a 400 for a refused head with pipelined requests
// or a body behind it, the answer to a request with Connection: close
// and more behind it) may then be lost, or end in "connection reset by
// peer" after its last byte, which a client reading an answer without
// Content-Length to its end takes for a failed answer. nginx waits such
// a client out (lingering close); ending the stream first and dropping
// what has come costs two system calls and no goroutine. What comes
// later meets a closed socket, which resets it, but after the end of
// the stream: the client has its answer and the end. (An instance's
// connection the router gives up on, its answer unread, ends the same
// way; more of the answer then draws the reset.)
func (c *Conn) Close() error {
	_ = c.rc.Control(EndStream)
	return c.TCPConn.Close()
}

// maxDropOnClose bounds what Close reads to drop: a socket's receive
// buffer, past which a client still sending is reset.
const maxDropOnClose = 1 << 20

// EndStream half-closes fd's socket (FIN after what was written), then
// reads and drops what it holds, without waiting: closed then, the
// socket ends the stream rather than resetting it (Close). For a front
// that holds its sockets' descriptors itself (cmd/waiter's event loops).
func EndStream(fd uintptr) {
	_ = syscall.Shutdown(int(fd), syscall.SHUT_WR)
	var scratch [4096]byte
	for dropped := 0; dropped < maxDropOnClose; {
		n, errno := rawRead(fd, scratch[:])
		switch {
		case errno == syscall.EINTR:
			continue
		case errno != 0 || n <= 0:
			return // EAGAIN: nothing more; 0: the client's end
		}
		dropped += n
	}
}

// Read reads into p as (*net.TCPConn).Read does.
func (c *Conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.rmu.Lock()
	c.r = op{p: p}
	err := c.rc.Read(c.readFn)
	n, errno := c.r.n, c.r.errno
	c.r.p = nil
	c.rmu.Unlock()
	switch {
	case err != nil:
		return 0, c.opError("read", unwrap(err))
	case errno != 0:
		return 0, c.opError("read", os.NewSyscallError("read", errno))
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// read is Read's callback: false asks the poller to wait for readiness.
func (c *Conn) read(fd uintptr) bool {
	for {
		n, errno := rawRead(fd, c.r.p)
		switch errno {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		c.r.n, c.r.errno = n, errno
		return true
	}
}

// Write writes all of p as (*net.TCPConn).Write does, waiting for room
// in the socket's buffer as often as it takes.
func (c *Conn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	c.w = op{p: p}
	err := c.rc.Write(c.writeFn)
	n, errno := c.w.n, c.w.errno
	c.w.p = nil
	c.wmu.Unlock()
	return n, c.writeError(err, errno)
}

// writeError is a write's error as net's: err from the poller (a
// deadline, a closed connection), else errno from write(2).
func (c *Conn) writeError(err error, errno syscall.Errno) error {
	switch {
	case err != nil:
		return c.opError("write", unwrap(err))
	case errno != 0:
		return c.opError("write", os.NewSyscallError("write", errno))
	}
	return nil
}

// write is Write's callback; it returns true once p is written or an
// error ends it.
func (c *Conn) write(fd uintptr) bool {
	for c.w.n < len(c.w.p) {
		n, errno := rawWrite(fd, c.w.p[c.w.n:])
		switch errno {
		case 0:
			c.w.n += n
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			c.w.errno = errno
			return true
		}
	}
	return true
}

// WriteAwait writes all of p as Write does, then waits until the
// connection has something to read (an answer, its peer's close, or
// its read deadline): a client's last write of a request before it
// reads the answer.
//
// It saves the read(2) that finds nothing. Read must try a read before
// it waits, because the poller forgets a readiness that came before the
// wait began (the runtime resets it as a read starts); right after a
// request is written the answer is almost never there yet, so that
// first read returned EAGAIN on almost every exchange (about one system
// call in six of the proxy's). Here the write is made from inside the
// read's wait (syscall.RawConn's Read, after its reset), so an answer
// that comes after the write is a readiness the wait sees.
//
// Only the write's outcome is returned: a wait ended by the deadline or
// a Close is the next Read's to report, as it would be without the
// wait. When the socket's send buffer fills, the rest of p is written
// as Write does, without the wait.
//
// written, when not nil, is called once all of p is written, before the
// wait: the caller may then reuse or give back p's memory (a server
// waiting for a client's next request holds no buffers while it waits).
func (c *Conn) WriteAwait(p []byte, written func()) (int, error) {
	if len(p) == 0 {
		if written != nil {
			written()
		}
		return 0, nil
	}
	c.wmu.Lock()
	c.w, c.awaiting, c.written = op{p: p}, false, written
	_ = c.rc.Read(c.awaitFn) // a failed wait is the next Read's to report
	var err error
	if c.w.errno == 0 && c.w.n < len(p) {
		// The send buffer filled, or the wait could not start (a passed
		// deadline, a closed connection: Write reports them).
		err = c.rc.Write(c.writeFn)
		if err == nil && c.w.errno == 0 && written != nil {
			written()
		}
	}
	n, errno := c.w.n, c.w.errno
	c.w.p, c.written = nil, nil
	c.wmu.Unlock()
	return n, c.writeError(err, errno)
}

// writeAwait is WriteAwait's callback, called by the read's wait: the
// first call writes (and, with all of p written, asks to wait for
// readiness); the next one is that readiness.
func (c *Conn) writeAwait(fd uintptr) bool {
	if c.awaiting {
		return true
	}
	if !c.write(fd) || c.w.errno != 0 {
		return true // EAGAIN (WriteAwait writes the rest) or an error
	}
	if c.written != nil {
		c.written()
	}
	c.awaiting = true
	return false
}

// opError is the error net's own Read and Write return for err.
func (c *Conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}

// unwrap takes the cause (a deadline, a closed connection) out of the
// "raw-read"/"raw-write" error syscall.RawConn returns, to be wrapped as
// a read's or write's.
func unwrap(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Err
	}
	return err
}
