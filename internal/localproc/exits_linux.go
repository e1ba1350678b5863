package localproc

import (
	"errors"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/waiter-go/waiter/internal/rawio"
)

// Exits waits for the exits of many children on one goroutine: each
// child's pidfd is in one epoll set, and the runtime's poller waits on
// that set as on a socket. Waiting with Wait instead parks a goroutine
// per child for the child's whole life (2-3 KB of stack each, for a
// router's thousand idle instances).
type Exits struct {
	epfd   int
	epfile *os.File // epfd, on the runtime's poller; closing it ends run
	rc     syscall.RawConn

	// mu guards waiting and closed, and is held for every use of epfd
	// by number (epoll_ctl): closed is set, and epfd closed, under it,
	// so no call reaches a number the system has since reused.
	mu      sync.Mutex
	waiting map[int32]func() // by pidfd
	closed  bool
	done    chan struct{} // closed when run returns
}

// NewExits starts the goroutine that waits for watched exits.
func NewExits() (*Exits, error) {
	epfd, file, rc, err := rawio.NewEpoll("localproc-exits")
	if err != nil {
		return nil, err
	}
	x := &Exits{epfd: epfd, epfile: file, rc: rc, waiting: map[int32]func(){}, done: make(chan struct{})}
	go x.run()
	return x, nil
}

// Watch calls then on a goroutine of its own once pid, a child started
// and not yet reaped, has exited; then reaps it (its os.Process's Wait),
// which returns at once. Where the exit cannot be watched (no pidfd:
// Linux before 5.3, or Close was called), then is called at once and its
// Wait does the waiting, in a system call that holds a thread. The pid cannot name
// another process meanwhile: an exited child keeps it until it is reaped.
func (x *Exits) Watch(pid int, then func()) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil || !x.watch(fd, then) {
		go then()
	}
}

// WatchProcess is Watch for a process that is not this one's child (a
// scheduler's instance adopted from its predecessor, reaped by init):
// then is called on a goroutine of its own once the process has exited,
// or when the set breaks (see broke), so then checks that it has. ours
// is asked once the process is pinned (its pidfd open): whether pid
// still names the process meant, not one that reused the pid; if not,
// then is called at once. It returns false, and calls nothing, when the
// exit cannot be watched (no pidfd, or Close was called): the caller
// polls for it instead.
func (x *Exits) WatchProcess(pid int, ours func() bool, then func()) bool {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return false
	}
	if !ours() {
		_ = unix.Close(fd)
		go then()
		return true
	}
	return x.watch(fd, then)
}

// watch adds pidfd fd to the set, to call then when it is readable; it
// closes fd and returns false when it cannot.
func (x *Exits) watch(fd int, then func()) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		_ = unix.Close(fd)
		return false
	}
	// In the map before the set: run may see the exit at once.
	x.waiting[int32(fd)] = then
	err := unix.EpollCtl(x.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)})
	if err != nil {
		delete(x.waiting, int32(fd))
		_ = unix.Close(fd)
		return false
	}
	return true
}

// Close stops the waiting goroutine. Exits still watched are not
// reported: the caller waits for its children's exits before closing.
func (x *Exits) Close() error {
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		<-x.done
		return nil
	}
	x.closed = true
	// This wakes run's wait with an error, and returns once it has.
	err := x.epfile.Close()
	x.mu.Unlock()
	<-x.done
	x.mu.Lock()
	for fd := range x.waiting {
		_ = unix.Close(int(fd))
	}
	clear(x.waiting)
	x.mu.Unlock()
	return err
}

// run calls the callbacks of exited children until Close.
func (x *Exits) run() {
	defer close(x.done)
	events := make([]unix.EpollEvent, 64)
	var n int
	for {
		var pollErr error
		// The callback polls the set without blocking; the runtime's
		// poller waits for the set to be readable when it found nothing.
		// Polling first each time drains a set with more than 64 ready.
		err := x.rc.Read(func(uintptr) bool {
			n, pollErr = unix.EpollWait(x.epfd, events, 0)
			if errors.Is(pollErr, unix.EINTR) {
				n, pollErr = 0, nil
			}
			return n > 0 || pollErr != nil
		})
		if err != nil || pollErr != nil {
			x.broke()
			return
		}
		for _, ev := range events[:n] {
			x.exited(ev.Fd)
		}
	}
}

// exited ends the watch on pidfd fd and calls its callback.
func (x *Exits) exited(fd int32) {
	x.mu.Lock()
	then, ok := x.waiting[fd]
	if ok && !x.closed {
		delete(x.waiting, fd)
		// Out of the set before the number can be reused: a copy of
		// the pidfd held by a child between fork and exec would keep
		// it there, reported under the number of a later watch.
		_ = unix.EpollCtl(x.epfd, unix.EPOLL_CTL_DEL, int(fd), nil)
		_ = unix.Close(int(fd))
	}
	x.mu.Unlock()
	if ok {
		go then()
	}
}

// broke hands every watched exit to its callback's own wait when the set
// cannot be waited on (it was closed, or epoll_wait failed), and has
// later watches do the same: a child's exit is never missed.
func (x *Exits) broke() {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return // Close's: it closes what is left
	}
	x.closed = true
	for fd, then := range x.waiting {
		_ = unix.Close(int(fd))
		go then()
	}
	clear(x.waiting)
	_ = x.epfile.Close()
}
