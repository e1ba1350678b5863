package rawio

import "syscall"

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
