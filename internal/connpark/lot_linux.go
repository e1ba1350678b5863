//go:build linux

package connpark

import (
	"container/heap"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/waiter-go/waiter/internal/rawio"
)

// ErrClosed is Park's error once the Lot is closed.
var ErrClosed = errors.New("connpark: lot closed")

// expireGranularity is how late a parked connection may be handed to
// Expire after its deadline: deadlines this close together share one
// timer firing (a thousand connections parked in the same second
// otherwise meant a thousand firings).
const expireGranularity = 50 * time.Millisecond

// wakeBatch is how many readiness events one wait takes.
const wakeBatch = 128

// Lot holds parked connections (see the package comment). Its methods
// are safe for concurrent use.
type Lot struct {
	wake, expire func(net.Conn)

	epfd int
	file *os.File // epfd, on the runtime's poller
	rc   syscall.RawConn
	done chan struct{} // run has returned

	mu     sync.Mutex
	byFD   map[int32]*parked
	due    dueHeap // the same connections, earliest deadline first
	timer  *time.Timer
	armed  time.Time // when timer fires; zero when it is not set
	serial uint32    // tells a connection from an earlier one on the same fd
	closed bool
}

// parked is one connection in the lot.
type parked struct {
	c      net.Conn
	fd     int32
	serial uint32
	until  time.Time
	index  int // in Lot.due
}

// New starts a Lot. wake gets each parked connection that has something
// to read, expire each one whose deadline passed or that Close ends; both
// are called on the Lot's own goroutines, one connection at a time, and
// own the connection from then on.
func New(wake, expire func(net.Conn)) (*Lot, error) {
	// The Lot's goroutine waits in the runtime's poller, not in
	// epoll_wait(2) on a thread of its own.
	epfd, file, rc, err := rawio.NewEpoll("connpark-epoll")
	if err != nil {
		return nil, fmt.Errorf("connpark: %w", err)
	}
	l := &Lot{wake: wake, expire: expire, epfd: epfd, file: file, rc: rc, done: make(chan struct{}),
		byFD: map[int32]*parked{}}
	go l.run()
	return l, nil
}

// Park holds c until it has something to read (then Wake gets it) or
// until (then Expire gets it). raw is the socket under c (c may be a
// wrapper of it). c must be between requests: nothing of it buffered
// above the socket. On an error c is still the caller's.
func (l *Lot) Park(c net.Conn, raw syscall.Conn, until time.Time) error {
	rc, err := raw.SyscallConn()
	if err != nil {
		return fmt.Errorf("connpark: %w", err)
	}
	fd := -1
	if err := rc.Control(func(f uintptr) { fd = int(f) }); err != nil {
		return fmt.Errorf("connpark: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	l.serial++
	p := &parked{c: c, fd: int32(fd), serial: l.serial, until: until}
	// Level-triggered: bytes that came before this call are reported at
	// once. EPOLLRDHUP: a peer's close wakes the connection too, so that
	// it is closed now rather than at its deadline.
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: p.fd, Pad: int32(p.serial)}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return fmt.Errorf("connpark: epoll_ctl add: %w", err)
	}
	l.byFD[p.fd] = p
	heap.Push(&l.due, p)
	l.armLocked()
	return nil
}

// Len is how many connections are parked.
func (l *Lot) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byFD)
}

// Close refuses new connections and hands every parked one to Expire.
func (l *Lot) Close() {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.closed = true
	gone := make([]net.Conn, 0, len(l.byFD))
	for _, p := range l.byFD {
		l.takeLocked(p)
		gone = append(gone, p.c)
	}
	if l.timer != nil {
		l.timer.Stop()
	}
	l.mu.Unlock()
	_ = l.file.Close() // ends run's wait
	<-l.done
	for _, c := range gone {
		l.expire(c)
	}
}

// takeLocked takes p out of the lot; its connection is the caller's.
func (l *Lot) takeLocked(p *parked) {
	// The socket is open (the lot owns it), so the delete cannot fail
	// in a way that matters: at worst a readiness of it is reported once
	// more, and its serial no longer matches.
	_ = unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, int(p.fd), nil)
	delete(l.byFD, p.fd)
	heap.Remove(&l.due, p.index)
}

// run waits for parked connections to have something to read and wakes
// them, until Close.
func (l *Lot) run() {
	defer close(l.done)
	events := make([]unix.EpollEvent, wakeBatch)
	woken := make([]net.Conn, 0, wakeBatch)
	for {
		n := 0
		var werr error
		err := l.rc.Read(func(fd uintptr) bool {
			for {
				n, werr = unix.EpollWait(int(fd), events, 0)
				if werr != unix.EINTR {
					return n > 0 || werr != nil
				}
			}
		})
		if err != nil {
			return // Close closed the epoll fd
		}
		if werr != nil {
			// Not seen in practice (epoll_wait fails only on bad
			// arguments); the parked connections could no longer wake, so
			// they end as on Close, and Park refuses from now on.
			go l.Close()
			return
		}
		woken = woken[:0]
		l.mu.Lock()
		for _, ev := range events[:n] {
			p := l.byFD[ev.Fd]
			if p == nil || p.serial != uint32(ev.Pad) {
				continue // expired (or closed) while this event was on its way
			}
			l.takeLocked(p)
			woken = append(woken, p.c)
		}
		l.mu.Unlock()
		for i, c := range woken {
			l.wake(c)
			woken[i] = nil
		}
	}
}

// armLocked sets the timer for the earliest deadline, unless it is set
// for that or earlier already.
func (l *Lot) armLocked() {
	if len(l.due) == 0 || l.closed {
		return
	}
	at := l.due[0].until.Truncate(expireGranularity).Add(expireGranularity)
	if !l.armed.IsZero() && !at.Before(l.armed) {
		return
	}
	l.armed = at
	if l.timer == nil {
		l.timer = time.AfterFunc(time.Until(at), l.expireDue)
		return
	}
	l.timer.Reset(time.Until(at))
}

// expireDue hands the connections whose deadline passed to Expire.
func (l *Lot) expireDue() {
	now := time.Now()
	var gone []net.Conn
	l.mu.Lock()
	l.armed = time.Time{}
	for len(l.due) > 0 && !l.due[0].until.After(now) {
		p := l.due[0]
		l.takeLocked(p)
		gone = append(gone, p.c)
	}
	l.armLocked()
	l.mu.Unlock()
	for _, c := range gone {
		l.expire(c)
	}
}

// dueHeap orders parked connections by deadline (container/heap).
type dueHeap []*parked

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].until.Before(h[j].until) }
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *dueHeap) Push(x any) {
	p := x.(*parked)
	p.index = len(*h)
	*h = append(*h, p)
}
func (h *dueHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return p
}
