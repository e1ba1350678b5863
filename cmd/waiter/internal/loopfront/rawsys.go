//go:build linux

package loopfront

import (
	"syscall"
	"unsafe"
)

// The loops make their system calls raw (syscall.RawSyscall), not through
// package syscall's wrappers, which tell the runtime the goroutine is in
// a system call (entersyscall). The runtime's monitor thread (sysmon)
// takes the processor from a goroutine it finds in the same system call
// twice, and each time it does, goes back to waking every 20 µs. A loop
// is in the kernel most of its time, so with a new connection per
// request (an accept4, an epoll_ctl and a close each) it found one there
// often enough to stay awake: 4,400 wakes a second, 12 % of the router's
// CPU, measured per thread (/proc/<pid>/task/*/schedstat) under
// proxybench -cases close. Every descriptor a loop calls these on is
// non-blocking and none of the calls waits, so there is nothing for the
// runtime to hand to another thread meanwhile; reads and writes were
// raw already (internal/rawio).

// rawClose closes fd.
func rawClose(fd int) error {
	_, _, e := syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(fd), 0, 0)
	return errnoErr(e)
}

// rawEpollCtl is epoll_ctl(2); ev may be nil for EPOLL_CTL_DEL.
func rawEpollCtl(epfd, op, fd int, ev *syscall.EpollEvent) error {
	_, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_CTL, uintptr(epfd), uintptr(op), uintptr(fd), uintptr(unsafe.Pointer(ev)), 0, 0)
	return errnoErr(e)
}

// rawAccept4 is accept4(2) of a non-blocking listener, with the peer's
// address written into *rsa.
func rawAccept4(fd int, rsa *syscall.RawSockaddrAny, flags int) (int, error) {
	n := uint32(syscall.SizeofSockaddrAny)
	r, _, e := syscall.RawSyscall6(syscall.SYS_ACCEPT4, uintptr(fd), uintptr(unsafe.Pointer(rsa)), uintptr(unsafe.Pointer(&n)), uintptr(flags), 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

// errnoErr is e as an error, nil for 0 (a nil syscall.Errno in an error
// is not a nil error).
func errnoErr(e syscall.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}

// bigEndianPort is a port as the kernel stores it (network byte order)
// read on any host.
func bigEndianPort(port uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(&port))
	return uint16(b[0])<<8 | uint16(b[1])
}
