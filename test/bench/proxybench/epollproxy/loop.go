//go:build linux

package main

import (
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
			r, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, fd, uintptr(unsafe.Pointer(&l.events[0])), uintptr(len(l.events)), 0, 0, 0)
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
