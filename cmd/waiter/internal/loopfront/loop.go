//go:build linux

package loopfront

import (
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/waiter-go/waiter"
	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/internal/headername"
	"github.com/waiter-go/waiter/internal/rawio"
	"github.com/waiter-go/waiter/internal/strarena"
	"golang.org/x/sys/unix"
)

// loop is one event loop: its epoll set, the sockets in it by file
// descriptor (only the loop's goroutine touches them), its pool of idle
// backend connections, its timers and its mailbox.
type loop struct {
	f      *Front
	epfd   int
	epfile *os.File
	rc     syscall.RawConn // epfile's, on the runtime's poller
	evfd   int             // the mailbox's eventfd, in the set
	socks  socks
	idle   map[string][]*backend // idle backend connections, by address
	events []syscall.EpollEvent
	peer   syscall.RawSockaddrAny // where accept4 writes a client's address
	timers timers
	bufs   [][]byte // free read buffers (takeBuf)
	// heads is the arena the loop's request heads are cut from (its
	// kits' parsers'): one allocation per chunk of heads, not per head.
	heads strarena.Arena
	// names makes its kits' parsers' header names canonical.
	names headername.Cache
	// freeClients are client records kept for new connections (free),
	// freeKits what requests take (takeKit).
	freeClients []*client
	freeKits    []*kit
	// decisions are the proxy decisions the loop's requests keep for the
	// next ones (its own: no lock).
	decisions *waiterhttp.LoopDecisions
	// acc accepts the listener's connections (Front.Listen; nil: none).
	acc *acceptor
	// waitUntil is the deadline set on epfile (zero: none).
	waitUntil time.Time
	now       time.Time // read once per round of events
	// ready is what wait hands the runtime's poller: a method value made
	// once, where a closure made on each wait would take its variables to
	// the heap every time the loop parks. It leaves its poll in polled.
	ready  func(uintptr) bool
	polled struct {
		n   int
		err error
	}
	// clients counts the loop's client connections: atomic for the
	// other loops, which place a new connection by it (Front.leastLoaded).
	clients atomic.Int64
	// draining: no new connections; each ends after its request in
	// progress, and the loop stops once none is left. stopped: the loop
	// ends now.
	draining, stopped bool
	// serving is the client being served, for contain.
	serving serving

	mu   sync.Mutex
	mail []mail // posted from other goroutines (mu)
	// handed are new connections in the set, by descriptor, not yet
	// adopted (mu): Front.Serve, or another loop that accepted them, adds
	// them to the set itself, and the loop adopts each at its first event.
	handed map[int]handedConn
	// handedN counts handed; waiting says the loop is (about to be)
	// blocked for events: hand wakes it then, so that a connection that
	// sends nothing is adopted, and times out, all the same.
	handedN atomic.Int64
	waiting atomic.Bool
	closed  bool   // the loop has stopped: mail is refused (mu)
	box     []mail // the loop's copy of mail, reused
}

// handedConn is a connection handed to a loop: its net.Conn (nil for a
// socket a loop accepted) and the client's address.
type handedConn struct {
	nc     net.Conn
	remote string
}

// close closes a handed connection no loop takes.
func (h handedConn) close(fd int) { closeSocket(h.nc, fd) }

// closeSocket closes a connection of the loops: its net.Conn, or fd, the
// bare descriptor of one a loop accepted.
func closeSocket(nc net.Conn, fd int) {
	if nc != nil {
		_ = nc.Close()
		return
	}
	_ = rawClose(fd)
}

// sock is a client or backend connection in a loop.
type sock interface {
	readable()
	writable()
	timed
}

// mail is what other goroutines post to a loop: an admission's answer, a
// dialed backend connection, a listener to accept from or to stop
// accepting from, drain or stop.
type mail struct {
	call   *client // an admission's answer or a dial's result is for it
	seq    uint64  // the client's request the answer is for
	grant  waiter.Grant
	err    error
	dialed net.Conn
	dial   bool
	drain  bool
	stop   bool
	// listen: accept from lfd, the loop's own duplicate of the
	// listener's descriptor; unlisten: stop. ack (one slot) has the
	// loop's answer.
	listen, unlisten bool
	lfd              int
	ack              chan error
}

// drop closes what m brings, which no loop takes, and answers a Listen's
// or an Unlisten's mail.
func (m mail) drop() {
	if m.dialed != nil {
		_ = m.dialed.Close()
	}
	if m.listen {
		_ = rawClose(m.lfd)
	}
	if m.ack != nil {
		m.ack <- errLoopStopped
	}
}

func newLoop(f *Front) (*loop, error) {
	// The loop waits for its events as a goroutine waits for a socket,
	// with no thread blocked in epoll_wait, and with a deadline for its
	// timers.
	epfd, file, rc, err := rawio.NewEpoll("loopfront-epoll")
	if err != nil {
		return nil, err
	}
	evfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		_ = file.Close()
		return nil, err
	}
	if err := rawEpollCtl(epfd, syscall.EPOLL_CTL_ADD, evfd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(evfd)}); err != nil {
		_ = file.Close()
		_ = rawClose(evfd)
		return nil, err
	}
	l := &loop{f: f, epfd: epfd, epfile: file, rc: rc, evfd: evfd, handed: map[int]handedConn{},
		idle: map[string][]*backend{}, events: make([]syscall.EpollEvent, 256), decisions: f.edge.NewLoopDecisions()}
	l.ready = l.pollReady
	l.timers.attend = l.attend
	return l, nil
}

// post hands m to the loop from any goroutine (an admission's notify
// runs under the engine's lock: this never blocks).
func (l *loop) post(m mail) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		m.drop()
		return
	}
	l.mail = append(l.mail, m)
	first := len(l.mail) == 1
	l.mu.Unlock()
	if first {
		l.wake()
	}
}

// run serves the loop's events until it is stopped.
func (l *loop) run() {
	defer l.shutdown()
	l.now = time.Now()
	for !l.stopped {
		l.serve()
	}
}

// serve is run's body: rounds of events until the loop is stopped, or
// until serving a client panicked, which contain ends the client for
// (contain.go); run then serves on. The events of the round left
// unserved come again: the set is level-triggered.
func (l *loop) serve() {
	defer l.contain()
	for !l.stopped {
		n := l.wait()
		l.now = time.Now()
		if l.handedN.Load() > 0 {
			l.adoptAll()
		}
		for _, ev := range l.events[:n] {
			fd := int(ev.Fd)
			if fd == l.evfd {
				l.readMail()
				continue
			}
			s := l.socks.get(fd)
			if s == nil {
				if s = l.adoptHanded(fd); s == nil {
					continue // closed by an earlier event of this round
				}
			}
			l.attend(s)
			if ev.Events&syscall.EPOLLOUT != 0 {
				s.writable()
				// Writing may have ended it, and its descriptor may be
				// another socket's now. Compared only then: an interface
				// compare is a runtime call, on every event.
				if l.socks.get(fd) != s {
					continue
				}
			}
			if ev.Events&(syscall.EPOLLIN|syscall.EPOLLHUP|syscall.EPOLLERR|syscall.EPOLLRDHUP) != 0 {
				s.readable()
			}
		}
		l.serving.c = nil
		l.runTimers()
		if l.timers.overgrown(l.socks.len()) {
			l.timers.compact()
		}
		if l.draining && l.clients.Load() == 0 {
			l.stopped = true
		}
	}
}

// The loop's free read buffers: a connection holds one only while bytes
// wait in it, so that an idle keep-alive connection costs its socket and
// a few hundred bytes.
const maxFreeBufs = 64

// takeBuf returns an empty buffer of readSize or more.
func (l *loop) takeBuf() []byte {
	if b, ok := pop(&l.bufs); ok {
		return b
	}
	return make([]byte, 0, readSize)
}

// pop takes the last of a loop's free records (buffers, clients, kits),
// clearing its slot so that the list does not keep it alive.
func pop[T any](free *[]T) (T, bool) {
	var zero T
	n := len(*free)
	if n == 0 {
		return zero, false
	}
	x := (*free)[n-1]
	(*free)[n-1] = zero
	*free = (*free)[:n-1]
	return x, true
}

// putBuf keeps b, emptied, for takeBuf, unless it outgrew readSize.
func (l *loop) putBuf(b []byte) {
	if cap(b) == readSize && len(l.bufs) < maxFreeBufs {
		l.bufs = append(l.bufs, b[:0])
	}
}

// clock is the time of the round of events being served.
func (l *loop) clock() time.Time { return l.now }

// drain closes the idle connections and has the others close after
// their request in progress.
func (l *loop) drain() {
	l.draining = true
	l.socks.all(func(s sock) {
		switch s := s.(type) {
		case *acceptor:
			s.close()
		case *client:
			s.closeAfter = true
			if s.state == cIdle && len(s.out) == 0 {
				s.close()
			}
		case *backend:
			if s.cl == nil {
				s.close()
			}
		}
	})
	if l.clients.Load() == 0 {
		l.stopped = true
	}
}

// wait returns the number of ready events in l.events: it polls the
// set without blocking (a raw system call, which leaves the scheduler
// alone) and, when nothing is ready, waits on the runtime's poller for
// the set to be, or for the earliest timer.
func (l *loop) wait() int {
	for {
		n, err := l.poll()
		if err != nil {
			panic("loopfront: epoll_wait: " + err.Error())
		}
		if n > 0 {
			return n
		}
		at, ok := l.timers.next()
		if !ok {
			at = time.Time{}
		}
		if !at.Equal(l.waitUntil) {
			_ = l.epfile.SetReadDeadline(at)
			l.waitUntil = at
		}
		l.waiting.Store(true)
		if l.handedN.Load() > 0 {
			l.waiting.Store(false)
			return 0 // adopt them first (run)
		}
		l.polled.n, l.polled.err = 0, nil
		err = l.rc.Read(l.ready)
		l.waiting.Store(false)
		if l.polled.n > 0 {
			return l.polled.n
		}
		if l.polled.err != nil {
			err = l.polled.err
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			panic("loopfront: waiting for events: " + err.Error())
		}
		// A timer is due.
		l.now = time.Now()
		l.runTimers()
		if l.stopped || (l.draining && l.clients.Load() == 0) {
			l.stopped = true
			return 0
		}
	}
}

// pollReady is the runtime poller's test of whether the set is ready
// (wait): a poll, true when it found events or failed.
func (l *loop) pollReady(uintptr) bool {
	l.polled.n, l.polled.err = l.poll()
	return l.polled.n > 0 || l.polled.err != nil
}

// poll is a non-blocking epoll_wait into l.events, as epoll_pwait with no
// signal mask: arm64 and other newer ports have no epoll_wait call.
func (l *loop) poll() (int, error) {
	for {
		r, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(l.epfd), uintptr(unsafe.Pointer(&l.events[0])), uintptr(len(l.events)), 0, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), nil
	}
}

// readMail serves what was posted.
func (l *loop) readMail() {
	var b [8]byte
	_, _ = rawio.ReadFD(l.evfd, b[:])
	l.mu.Lock()
	l.box, l.mail = l.mail, l.box[:0]
	l.mu.Unlock()
	l.serving.inMail = true
	for i := range l.box {
		m := &l.box[i]
		l.serving.c, l.serving.mail = m.call, i
		switch {
		case m.stop:
			l.stopped = true
		case m.drain:
			l.drain()
		case m.listen:
			m.ack <- l.listen(m.lfd)
		case m.unlisten:
			if l.acc != nil {
				l.acc.close()
			}
			m.ack <- nil

		case m.dial:
			m.call.dialed(m.seq, m.dialed, m.err)
		case m.call != nil:
			m.call.admitted(m.seq, m.grant, m.err)
		}
		*m = mail{}
	}
	l.serving.c, l.serving.inMail = nil, false
}

// hand puts a new connection in the loop's set from any goroutine
// (epoll_ctl is safe from any thread), without waking the loop: the
// loop adopts it at its first event, its first bytes. A connection
// whose descriptor the loop cannot use goes to the goroutine front.
func (l *loop) hand(nc net.Conn) {
	fd, ok := fdOf(nc)
	if !ok {
		l.f.giveUp(nc, -1, nil)
		return
	}
	l.handFD(fd, handedConn{nc: nc, remote: nc.RemoteAddr().String()})
}

// handFD hands the loop fd, a new connection (h), as hand does; fd is
// the loop's from now on.
func (l *loop) handFD(fd int, h handedConn) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		h.close(fd)
		return
	}
	l.handed[fd] = h
	l.handedN.Add(1)
	l.mu.Unlock()
	if l.waiting.Load() {
		l.wake()
	}
	err := rawEpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)})
	if err != nil {
		l.mu.Lock()
		_, mine := l.handed[fd]
		delete(l.handed, fd)
		if mine {
			l.handedN.Add(-1)
		}
		l.mu.Unlock()
		if mine {
			l.f.giveUp(h.nc, fd, nil)
		}
	}
}

// giveUp hands a connection the loops do not serve (any more) to the
// goroutine front, with the bytes read of it (pending): nc, or fd, the
// bare descriptor of one a loop accepted, made a net.Conn here.
func (f *Front) giveUp(nc net.Conn, fd int, pending []byte) {
	if nc == nil {
		var err error
		if nc, err = netConn(fd); err != nil {
			// Out of descriptors, or the client is gone (errPeerGone):
			// the connection closes, as one the goroutine front could
			// not accept.
			return
		}
	}
	f.handoffs.Add(1)
	f.cfg.Handoff(nc, pending)
}

// adoptAll adopts every handed connection.
func (l *loop) adoptAll() {
	l.mu.Lock()
	var fds []int
	for fd := range l.handed {
		fds = append(fds, fd)
	}
	l.mu.Unlock()
	for _, fd := range fds {
		l.adoptHanded(fd)
	}
}

// wake makes a waiting loop go round.
func (l *loop) wake() {
	var one = [8]byte{1}
	_, _ = rawio.WriteFD(l.evfd, one[:])
}

// adoptHanded adopts the handed connection of fd, if there is one.
func (l *loop) adoptHanded(fd int) sock {
	l.mu.Lock()
	h, ok := l.handed[fd]
	if ok {
		delete(l.handed, fd)
		l.handedN.Add(-1)
	}
	l.mu.Unlock()
	if !ok {
		return nil
	}
	if l.draining {
		_ = rawEpollCtl(l.epfd, syscall.EPOLL_CTL_DEL, fd, nil)
		h.close(fd)
		return nil
	}
	l.adoptFD(fd, h.nc, h.remote)
	return l.socks.get(fd)
}

// add puts fd in the set, for reading.
func (l *loop) add(fd int, s sock) error {
	if err := rawEpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}); err != nil {
		return err
	}
	l.socks.set(fd, s)
	return nil
}

// interest sets what fd is watched for.
func (l *loop) interest(fd int, in, out bool) {
	var ev uint32 = syscall.EPOLLRDHUP
	if in {
		ev |= syscall.EPOLLIN
	}
	if out {
		ev |= syscall.EPOLLOUT
	}
	_ = rawEpollCtl(l.epfd, syscall.EPOLL_CTL_MOD, fd, &syscall.EpollEvent{Events: ev, Fd: int32(fd)})
}

// remove takes fd out of the set, for a connection that stays open (it
// goes to the goroutine front).
func (l *loop) remove(fd int) {
	_ = rawEpollCtl(l.epfd, syscall.EPOLL_CTL_DEL, fd, nil)
	l.socks.del(fd)
}

// forget drops fd, whose connection the caller closes at once: closing
// its only descriptor takes it out of every epoll set (the kernel does it
// when the socket's file is released; nothing else holds it), so an
// EPOLL_CTL_DEL first would be a system call for nothing, on every
// connection that closes (a new connection per request spent about 3 %
// of its CPU on it).
func (l *loop) forget(fd int) { l.socks.del(fd) }

// shutdown closes what the loop holds once it is stopped.
func (l *loop) shutdown() {
	l.socks.all(func(s sock) {
		switch s := s.(type) {
		case *acceptor:
			s.close()
		case *client:
			s.abort()
		case *backend:
			s.close()
		}
	})
	l.mu.Lock()
	l.closed = true
	for _, m := range l.mail {
		m.drop()
	}
	l.mail = nil
	for fd, h := range l.handed {
		h.close(fd)
		delete(l.handed, fd)
	}
	l.mu.Unlock()
	_ = l.epfile.Close()
	_ = rawClose(l.evfd)
}

// fdOf is c's file descriptor (a connection's or a listener's), which
// stays valid while c is open.
func fdOf(c any) (int, bool) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return -1, false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, false
	}
	fd := -1
	if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil {
		return -1, false
	}
	return fd, true
}
