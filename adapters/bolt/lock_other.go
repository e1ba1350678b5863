//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package bolt

import (
	"context"
	"os"
	"time"
)

// lockFile does nothing where flock is missing: bbolt still locks the file
// when it opens it, so two routers cannot both write; only the check
// before the open runs unlocked.
func lockFile(context.Context, *os.File, bool, time.Duration) error { return nil }
