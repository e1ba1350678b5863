package rawio

import (
	"syscall"
	"unsafe"
)

// rawRead and rawWrite are read(2) and write(2) without the runtime's
// syscall entry and exit: the socket is non-blocking, so neither waits.
func rawRead(fd uintptr, p []byte) (int, syscall.Errno) {
	n, _, errno := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), errno
}

func rawWrite(fd uintptr, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), errno
}

// ReadFD and WriteFD are rawRead and rawWrite for a front that holds the
// descriptors of its non-blocking sockets itself (cmd/waiter's event
// loops). p must not be empty for ReadFD; n is -1 on an error.
func ReadFD(fd int, p []byte) (n int, errno syscall.Errno) {
	n, errno = rawRead(uintptr(fd), p)
	if errno != 0 {
		n = -1
	}
	return n, errno
}

func WriteFD(fd int, p []byte) (n int, errno syscall.Errno) {
	n, errno = rawWrite(uintptr(fd), p)
	if errno != 0 {
		n = -1
	}
	return n, errno
}
