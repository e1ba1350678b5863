package kitchen

import (
	"context"
	"fmt"
	"time"
)

// sleep waits d, or returns errAbort if the client goes away first, so an
// abandoned request does not hold a goroutine for its whole delay.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", errAbort, context.Cause(ctx))
	}
}
