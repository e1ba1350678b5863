package localproc

import (
	"os"

	"golang.org/x/sys/unix"
)

// awaitExit returns once pid, a child not yet reaped, has exited: its
// pidfd (Linux 5.3 and later) becomes readable then, and the runtime's
// poller waits for that as for a socket, parking the goroutine and not
// a thread. Where no pidfd can be had it returns at once, and Wait's
// cmd.Wait does the waiting. The pid cannot name another process
// meanwhile: an exited child keeps it until it is reaped.
func awaitExit(pid int) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), "pidfd") // non-blocking: on the poller
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Read(func(fd uintptr) bool {
		// The poller's readiness may predate this wait, so ask the
		// pidfd itself, without waiting; an error ends the wait too.
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 0)
		return err != nil || n > 0
	})
}
