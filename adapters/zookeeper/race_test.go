package zookeeper_test

import (
	"errors"
	"testing"

	"github.com/waiter-go/waiter/adapters/zookeeper"
)

// Two routers decide on the same version of a token and write: the
// znode version makes exactly one write land, for an update and for a
// creation alike; the other is told to read again (and then meets the
// If-Match check or writes over the newer version).
func TestConditionalWriteOneWins(t *testing.T) {
	base := basePath(t)
	a := newStore(t, zkServer.Connect(), base)
	b := newStore(t, zkServer.Connect(), base)
	node := []byte(`{"data":{"cmd":"x","owner":"alice"},"etag":"E-00000000000000000000000000000000"}`)

	// Creation: both saw no token.
	_, foundA, err := a.CurrentVersion("new")
	if err != nil || foundA {
		t.Fatalf("a: %v %v", foundA, err)
	}
	_, foundB, _ := b.CurrentVersion("new")
	if err := a.CommitAt("new", node, foundA, -1); err != nil {
		t.Fatalf("a's create: %v", err)
	}
	if err := b.CommitAt("new", node, foundB, -1); !errors.Is(err, zookeeper.ErrRetry) {
		t.Errorf("b's create over a's: %v, want a retry", err)
	}

	// Update: both read the same version.
	va, _, _ := a.CurrentVersion("new")
	vb, _, _ := b.CurrentVersion("new")
	if va != vb {
		t.Fatalf("versions %d and %d", va, vb)
	}
	if err := b.CommitAt("new", node, true, vb); err != nil {
		t.Fatalf("b's update: %v", err)
	}
	if err := a.CommitAt("new", node, true, va); !errors.Is(err, zookeeper.ErrRetry) {
		t.Errorf("a's update at the version b replaced: %v, want a retry", err)
	}
}
