//go:build linux

package loopfront

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"syscall"
	"time"
	"unsafe"
)

// The loops accept their listener's connections themselves (Listen): a
// connection then costs an accept4 and its place in one loop's set, not
// a goroutine's accept, a net.Conn and its place in the runtime's poller
// as well (with a new connection per request, those were about 15 % of
// the router's CPU). The socket becomes a net.Conn only when the loop
// hands it to the goroutine front (netConn).

// acceptor is a loop's duplicate of the listener's descriptor, in its
// set as a socket: readable means connections wait to be accepted.
type acceptor struct {
	deadline
	l  *loop
	fd int
	// paused: out of the set until the deadline (out of descriptors or
	// memory, as net/http's server waits then); backoff is the next wait.
	paused  bool
	backoff time.Duration
}

// acceptBatch bounds the connections one loop accepts per readiness: the
// set is level-triggered, so those left wake a loop again, maybe the
// other one.
const acceptBatch = 8

// listen puts fd, the loop's own duplicate of the listener's
// descriptor, in the loop's set; the loop owns fd from now on.
func (l *loop) listen(fd int) error {
	if l.acc != nil {
		_ = rawClose(fd)
		return errListening
	}
	if l.draining || l.stopped {
		_ = rawClose(fd)
		return errLoopStopped
	}
	a := &acceptor{l: l, fd: fd}
	// Every loop's set is woken by a new connection: the loops wait for
	// their sets through the runtime's poller, and EPOLLEXCLUSIVE wakes
	// one waiter only among those blocked in epoll_wait on a set itself.
	// The loop that comes first takes it; the others' accept4 finds
	// none (EAGAIN), which under load is rare (they are busy, and it is
	// gone by the time they look).
	if err := a.watch(); err != nil {
		_ = rawClose(fd)
		return err
	}
	l.socks.set(fd, a)
	l.acc = a
	return nil
}

// watch puts the listener in the loop's set.
func (a *acceptor) watch() error {
	return rawEpollCtl(a.l.epfd, syscall.EPOLL_CTL_ADD, a.fd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(a.fd)})
}

// readable accepts the connections waiting, up to acceptBatch.
func (a *acceptor) readable() {
	for range acceptBatch {
		fd, err := rawAccept4(a.fd, &a.l.peer, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		switch {
		case err == nil:
			a.backoff = 0
			a.l.adoptAccepted(fd, remoteAddr(&a.l.peer))
		case err == syscall.EAGAIN:
			return
		case retryAccept(err):
			// A client that gave up, or a network error of its own
			// connection, before it was accepted.
		case err == syscall.EMFILE || err == syscall.ENFILE || err == syscall.ENOBUFS || err == syscall.ENOMEM:
			a.pause()
			return
		default:
			// The listener itself failed (shut down under us): the loop
			// accepts no more, and the router hears of it.
			a.close()
			if failed := a.l.f.cfg.AcceptFailed; failed != nil {
				go failed(fmt.Errorf("loopfront: accept: %w", err))
			}
			return
		}
	}
}

// retryAccept reports whether err, from accept4, is the waiting
// connection's own, not the listener's: accept(2) on Linux passes a new
// connection's pending network error on, to be treated as EAGAIN.
func retryAccept(err error) bool {
	switch err {
	case syscall.EINTR, syscall.ECONNABORTED, syscall.EPROTO, syscall.EPERM, syscall.ENETDOWN, syscall.ENOPROTOOPT,
		syscall.EHOSTDOWN, syscall.ENONET, syscall.EHOSTUNREACH, syscall.EOPNOTSUPP, syscall.ENETUNREACH, syscall.ECONNRESET:
		return true
	}
	return false
}

func (a *acceptor) writable() {}

func (a *acceptor) timer() *deadline { return &a.deadline }

// pause takes the listener out of the set for a while: level-triggered,
// it would report the connections the loop cannot take on every round.
// Backoff as net/http's server's: 5 ms doubling to a second.
func (a *acceptor) pause() {
	a.l.f.acceptPauses.Add(1)
	a.backoff = min(max(2*a.backoff, 5*time.Millisecond), time.Second)
	_ = rawEpollCtl(a.l.epfd, syscall.EPOLL_CTL_DEL, a.fd, nil)
	a.paused = true
	a.l.timers.set(a, a.l.clock().Add(a.backoff))
}

// expire ends a pause.
func (a *acceptor) expire(time.Time) {
	if !a.paused || a.gone {
		return
	}
	a.paused = false
	if a.watch() != nil {
		a.close()
	}
}

// close stops the loop's accepting. The other descriptors of the
// listener (the other loops', the listener's own) keep it in the set
// until they are closed too, so it leaves the set first.
func (a *acceptor) close() {
	if a.gone {
		return
	}
	a.gone = true
	if !a.paused {
		_ = rawEpollCtl(a.l.epfd, syscall.EPOLL_CTL_DEL, a.fd, nil)
	}
	a.l.forget(a.fd)
	_ = rawClose(a.fd)
	a.l.acc = nil
}

// adoptAccepted takes a connection the loop accepted into its set, or
// into the set of the loop with the fewest connections: whichever loop
// comes first accepts a burst of them (a client pool opening its
// connections at once), and each connection then stays in its loop.
func (l *loop) adoptAccepted(fd int, remote string) {
	l.f.accepted.Add(1)
	if to := l.f.leastLoaded(l); to != l {
		to.handFD(fd, handedConn{remote: remote})
		return
	}
	if err := rawEpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}); err != nil {
		_ = rawClose(fd)
		return
	}
	l.adoptFD(fd, nil, remote)
}

// remoteAddr is rsa, a client's address as accept4 wrote it, as
// net.TCPAddr's String writes it: an IPv4 client of an IPv6 listener as
// its IPv4 address, a zone by its interface's name; "" for a family other
// than IPv4 and IPv6 (the loops listen on TCP). It reads the kernel's
// structure in place: one string per connection, no Sockaddr on the way.
func remoteAddr(rsa *syscall.RawSockaddrAny) string {
	switch rsa.Addr.Family {
	case syscall.AF_INET:
		sa := (*syscall.RawSockaddrInet4)(unsafe.Pointer(rsa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), bigEndianPort(sa.Port)).String()
	case syscall.AF_INET6:
		sa := (*syscall.RawSockaddrInet6)(unsafe.Pointer(rsa))
		a := netip.AddrFrom16(sa.Addr).Unmap()
		if sa.Scope_id != 0 && a.Is6() {
			a = a.WithZone(zoneName(int(sa.Scope_id)))
		}
		return netip.AddrPortFrom(a, bigEndianPort(sa.Port)).String()
	}
	return ""
}

// zoneName is the interface index's name, or the index (as package net).
func zoneName(index int) string {
	if ifi, err := net.InterfaceByIndex(index); err == nil {
		return ifi.Name
	}
	return strconv.Itoa(index)
}

// netConn makes fd, a connection the loop accepted, a net.Conn for the
// goroutine front; fd itself is closed (the net.Conn has a duplicate).
// A client that reset the connection before it is handed off has left
// the socket without a peer: net.FileConn's getpeername fails, and the
// net.Conn would have no remote address (nil), on which the goroutine
// front's servers (h1serve, net/http's HTTP/2) call String, and crash
// the router. Nothing can be answered to that client: errPeerGone, and
// the connection is closed.
func netConn(fd int) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), "")
	defer f.Close()
	nc, err := net.FileConn(f)
	if err != nil {
		return nil, err
	}
	if nc.RemoteAddr() == nil {
		_ = nc.Close()
		return nil, errPeerGone
	}
	return nc, nil
}

// errLoopStopped answers a Listen a stopped (or draining) loop cannot
// take; errListening a second one.
var (
	errLoopStopped = errors.New("loopfront: the loop has stopped")
	errListening   = errors.New("loopfront: the loop accepts from a listener already")
	errPeerGone    = errors.New("loopfront: the client reset the connection before its hand-off")
)

// listenerFD is ln's descriptor, when it is a TCP listener (the loops
// accept only those: a wrapped listener does more than accept).
func listenerFD(ln net.Listener) (int, bool) {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return -1, false
	}
	return fdOf(tl)
}
