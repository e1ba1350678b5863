//go:build linux

package loopfront

import (
	"net"
	"syscall"

	"github.com/waiter-go/waiter/internal/rawio"
)

// fdConn is what a client and a backend connection share: the socket and
// its descriptor, the bytes not written yet, and what the loop's set
// watches it for.
type fdConn struct {
	l  *loop
	nc net.Conn // kept open (and so its descriptor) while the loop uses it
	fd int
	// out is what the socket did not take yet; reading: EPOLLIN is on;
	// writing: EPOLLOUT is.
	out              []byte
	reading, writing bool
}

// fill reads what the socket has into buf, up to limit bytes held in
// all, growing buf by readSize when it has less room. alive is false
// when the peer closed or the socket failed (errno says why, 0 for a
// close).
func (s *fdConn) fill(buf []byte, limit int) (_ []byte, alive bool, errno syscall.Errno) {
	for len(buf) < limit {
		if cap(buf)-len(buf) < readSize {
			buf = append(buf, make([]byte, readSize)...)[:len(buf)]
		}
		room := cap(buf) - len(buf)
		n, e := rawio.ReadFD(s.fd, buf[len(buf):cap(buf)])
		if n > 0 {
			buf = buf[:len(buf)+n]
			if n < room {
				break // drained: the set is level-triggered
			}
			continue
		}
		if e == syscall.EAGAIN {
			break
		}
		return buf, false, e
	}
	return buf, true, 0
}

// write sends p now, keeping what the socket does not take for when it
// is writable.
func (s *fdConn) write(p []byte) {
	if len(s.out) > 0 {
		s.out = append(s.out, p...)
		return
	}
	for len(p) > 0 {
		n, e := rawio.WriteFD(s.fd, p)
		if n > 0 {
			p = p[n:]
			continue
		}
		if e == syscall.EAGAIN {
			break
		}
		return // a failed socket: its read side reports it
	}
	if len(p) > 0 {
		s.out = append(s.out, p...)
		s.writing = true
		s.l.interest(s.fd, s.reading, true)
	}
}

// flush writes what is pending once the socket is writable; it reports
// whether all of it is out (EPOLLOUT is then off).
func (s *fdConn) flush() bool {
	out := s.out
	s.out = s.out[:0]
	s.write(out)
	if len(s.out) > 0 {
		return false
	}
	if s.writing {
		s.writing = false
		s.l.interest(s.fd, s.reading, false)
	}
	return true
}

// watchReads turns EPOLLIN on or off.
func (s *fdConn) watchReads(on bool) {
	if s.reading != on {
		s.reading = on
		s.l.interest(s.fd, on, s.writing)
	}
}
