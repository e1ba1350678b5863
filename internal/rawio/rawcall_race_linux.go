//go:build race

package rawio

import "syscall"

// Under the race detector, rawRead and rawWrite go through package
// syscall's Read and Write. Those tell the detector that a write to a
// descriptor happens before a read from one (a shared ioSync variable of
// package syscall), which is how it sees a test's server handler set a
// variable before the client that read its answer looks at it. Raw
// calls would hide that and make such tests report races that are not
// there. The syscall entry and exit they add only cost time, which a
// race build does not measure.
func rawRead(fd uintptr, p []byte) (int, syscall.Errno) {
	n, err := syscall.Read(int(fd), p)
	return n, errnoOf(err)
}

func rawWrite(fd uintptr, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	n, err := syscall.Write(int(fd), p)
	return n, errnoOf(err)
}

// errnoOf is err, from package syscall, as its Errno (0 for nil).
func errnoOf(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	return err.(syscall.Errno)
}
