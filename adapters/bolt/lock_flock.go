//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package bolt

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// lockPollInterval is how often lockFile retries a held lock; bbolt polls
// its own flock at the same rate.
const lockPollInterval = 50 * time.Millisecond

// lockFile takes the flock bbolt takes (exclusive to write, shared to
// read) on f, retrying until timeout or ctx ends. Open checks the file
// under this lock and then hands the same descriptor to bbolt, whose own
// flock on it then succeeds at once: no other router can change the file
// between the check and the open.
func lockFile(ctx context.Context, f *os.File, exclusive bool, timeout time.Duration) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(lockPollInterval)
	defer tick.Stop()
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return errLockTimeout
		case <-tick.C:
		}
	}
}
