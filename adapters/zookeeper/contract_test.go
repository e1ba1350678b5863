package zookeeper_test

import (
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/storetest"
)

// TestStoreContract runs the store contract (internal/storetest, which
// adapters/bolt runs too) on a real ZooKeeper. A peer is a second store
// on its own session under the same base path: another router.
func TestStoreContract(t *testing.T) {
	bases := map[waiter.Store]string{}
	storetest.Run(t, storetest.Factory{
		New: func(t *testing.T) waiter.Store {
			base := basePath(t)
			s := newStore(t, zkServer.Connect(), base)
			bases[s] = base
			return s
		},
		Peer: func(t *testing.T, s waiter.Store) waiter.Store {
			return newStore(t, zkServer.Connect(), bases[s])
		},
		Settle: func(t *testing.T, _ waiter.Store, check func() bool) {
			t.Helper()
			eventually(t, "a write seen by the peer", check)
		},
	})
}
