package rawio

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// NewEpoll creates an epoll set that the runtime's poller waits on: its
// descriptor, made non-blocking so that os.NewFile puts it on the
// poller, as file (name names it), and file's RawConn. A goroutine that
// waits for the set's events with rc.Read then waits as for a socket,
// parked, not in epoll_wait(2) on a thread of its own; file's deadlines
// bound the wait, and closing file ends it. The event loops, the parked
// connections and the children's exits (cmd/waiter's loopfront,
// internal/connpark, internal/localproc) each hold one.
func NewEpoll(name string) (epfd int, file *os.File, rc syscall.RawConn, err error) {
	epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return -1, nil, nil, os.NewSyscallError("epoll_create1", err)
	}
	if err := unix.SetNonblock(epfd, true); err != nil {
		_ = unix.Close(epfd)
		return -1, nil, nil, os.NewSyscallError("fcntl", err)
	}
	file = os.NewFile(uintptr(epfd), name)
	if rc, err = file.SyscallConn(); err != nil {
		_ = file.Close()
		return -1, nil, nil, err
	}
	return epfd, file, rc, nil
}
