package bolt_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/bolt"
)

// t0 is the fixed time tests write at; the store never reads a clock.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// openStore opens a store in a fresh temporary folder and closes it when
// the test ends.
func openStore(t testing.TB, opts ...bolt.Option) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "waiter.db"), opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// reopen closes s and opens its file again, as a restarted router would.
func reopen(t *testing.T, s *bolt.Store, opts ...bolt.Option) *bolt.Store {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s2, err := bolt.Open(s.Path(), opts...)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { _ = s2.Close() })
	return s2
}

// mustPut writes a token and fails the test on error.
func mustPut(t testing.TB, s *bolt.Store, name string, data map[string]any, ifMatch, user string, now time.Time) (waiter.Token, waiter.TokenResult) {
	t.Helper()
	tok, res, err := s.PutToken(name, data, ifMatch, user, now)
	if err != nil {
		t.Fatalf("PutToken(%q): %v", name, err)
	}
	return tok, res
}
