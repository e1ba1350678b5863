package zktest

import (
	"context"
	"testing"
	"time"
)

// ContextCloser is what a ZooKeeper registration closes with: a
// zookeeper.Membership, which stops its loop and deletes its znode.
type ContextCloser interface {
	Close(ctx context.Context) error
}

// CloseOnCleanup closes c when the test ends, giving it 5 s: a
// registration whose session a test cut may never hear back from
// ZooKeeper, and its loop must not outlive the test (leakcheck). Call it
// after registering the client's own cleanup, so that c closes before
// its client does (cleanups run last first).
func CloseOnCleanup(tb testing.TB, c ContextCloser) {
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Close(ctx)
	})
}
