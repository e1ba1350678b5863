package bolt

import (
	"errors"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"
)

// TestSourceTokens_ReadOnlyFileWithoutTheBucket: a version 2 file from
// before the source-tokens bucket, which can only be read, is accepted by
// the schema check (it cannot create the bucket, and refusing would keep
// an older router's file from being read at all); reads find no source
// tokens and purges skip the bucket. It is internal because a test
// running as root cannot make a file unwritable to get a read-only open.
func TestSourceTokens_ReadOnlyFileWithoutTheBucket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "waiter.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket(bucketSourceTokens) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	why := errors.New("test: opened read-only")
	if _, err := ensureSchema(db, path, why); err != nil {
		t.Fatalf("ensureSchema of a read-only file without the later bucket = %v, want accepted", err)
	}
	ro := &Store{db: db, path: path, readOnly: true, readOnlyErr: why, health: newHealth(slog.New(slog.DiscardHandler), path, true)}
	if got, err := ro.SourceTokens("s1"); err != nil || len(got) != 0 {
		t.Fatalf("SourceTokens = %v, %v; want none", got, err)
	}
	err = ro.AddSourceTokens("s1", []waiter.SourceToken{{Name: "web", ETag: "E-1"}})
	if !errors.Is(err, why) {
		t.Fatalf("AddSourceTokens on a read-only store = %v, want its read-only reason", err)
	}

	// A missing bucket that is not a later one is still a damaged schema.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	rw, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket(bucketOverrides) }); err != nil {
		t.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if _, err := ensureSchema(db2, path, why); !errors.Is(err, waiter.ErrStoreReadOnly) {
		t.Fatalf("ensureSchema of a read-only file without the overrides bucket = %v, want ErrStoreReadOnly", err)
	}
}
