//go:build !linux

package threadcpu

import "syscall"

// Nanos is, where a thread's own CPU time cannot be read, the process's:
// the same for a benchmark that runs alone on one thread.
func Nanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
