package bolt_test

import (
	"testing"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/storetest"
)

// TestStoreContract runs the store contract every waiter.Store meets
// (internal/storetest; adapters/zookeeper runs it too). One process owns
// a bbolt file, so a second router's view is the store itself.
func TestStoreContract(t *testing.T) {
	storetest.Run(t, storetest.Factory{
		New:  func(t *testing.T) waiter.Store { return openStore(t) },
		Peer: func(_ *testing.T, s waiter.Store) waiter.Store { return s },
	})
}
