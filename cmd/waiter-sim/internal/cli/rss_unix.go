//go:build unix

package cli

import (
	"runtime"
	"syscall"
	"time"
)

// rusageMaxRSS is getrusage's peak RSS in bytes: the kernel reports
// kilobytes, except on Darwin, which reports bytes.
func rusageMaxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}

// processUsage is the CPU time (user and system) the process has used
// and the page faults it has taken that needed no I/O (first touches of
// fresh memory, mostly), from one getrusage call.
func processUsage() (cpu time.Duration, faults int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), int64(ru.Minflt)
}
