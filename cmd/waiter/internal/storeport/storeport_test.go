package storeport

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/waiter-go/waiter/adapters/bolt"
	waiterhttp "github.com/waiter-go/waiter/adapters/http"
)

// Every store error the HTTP edge maps to a status arrives as the edge's
// sentinel, with the store's error still in the chain.
func TestErrorsTranslate(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := Store{DB: db}
	now := time.Unix(1700000000, 0)

	_, err = s.GetToken("missing", false)
	if !errors.Is(err, waiterhttp.ErrTokenNotFound) || !errors.Is(err, bolt.ErrTokenNotFound) {
		t.Errorf("missing token: %v", err)
	}
	tok, res, err := s.PutToken("t", map[string]any{"cpus": 1}, "", "alice", now)
	if err != nil || res != waiterhttp.TokenCreated || tok.Data["owner"] != "alice" {
		t.Fatalf("put: %v %v %v", tok, res, err)
	}
	if _, _, err := s.PutToken("t", map[string]any{"cpus": 2}, "E-stale", "alice", now); !errors.Is(err, waiterhttp.ErrPreconditionFailed) {
		t.Errorf("stale if-match: %v", err)
	}
	if _, err := s.DeleteToken("t", true, "", "alice", now); !errors.Is(err, waiterhttp.ErrIfMatchRequired) {
		t.Errorf("hard delete without if-match: %v", err)
	}
	if _, _, err := s.PutToken("t", map[string]any{"deleted": true}, "", "alice", now); !errors.Is(err, waiterhttp.ErrInvalidTokenData) {
		t.Errorf("store-owned key: %v", err)
	}
	if _, err := s.GetServiceDescription("nope"); !errors.Is(err, waiterhttp.ErrServiceNotFound) {
		t.Errorf("missing service: %v", err)
	}
	if err := s.PutServiceDescription("svc", map[string]any{"cpus": 1.0}); err != nil {
		t.Fatal(err)
	}
	if d, err := s.GetServiceDescription("svc"); err != nil || d["cpus"] != 1.0 {
		t.Errorf("service description round trip: %v %v", d, err)
	}
	if err := s.SetSuspended("svc", true, "alice", now); err != nil {
		t.Fatal(err)
	}
	if sus, err := s.GetSuspended("svc"); err != nil || !sus.Suspended || sus.User != "alice" {
		t.Errorf("suspension: %+v %v", sus, err)
	}
	if ov, err := s.GetOverride("svc"); err != nil || len(ov.Overrides) != 0 {
		t.Errorf("no overrides: %+v %v", ov, err)
	}
}

// The store's new conditions arrive as the edge's sentinels: a damaged
// record with its name and damage in the text (no package prefix), a full
// or read-only disk with the store's error still in the chain.
func TestStoreConditionsTranslate(t *testing.T) {
	corrupt := translate(fmt.Errorf("bolt: get token: %w", &bolt.CorruptRecordError{Record: `token "app"`, Problem: "checksum mismatch"}))
	if !errors.Is(corrupt, waiterhttp.ErrCorruptRecord) || corrupt.Error() != `corrupt record: token "app": checksum mismatch` {
		t.Errorf("corrupt record: %v", corrupt)
	}
	full := translate(fmt.Errorf("%w: put token: %w", bolt.ErrStoreFull, syscall.ENOSPC))
	if !errors.Is(full, waiterhttp.ErrStoreFull) || !errors.Is(full, syscall.ENOSPC) {
		t.Errorf("disk full: %v", full)
	}
	ro := translate(fmt.Errorf("%w: put token", bolt.ErrStoreReadOnly))
	if !errors.Is(ro, waiterhttp.ErrStoreReadOnly) || !errors.Is(ro, bolt.ErrStoreReadOnly) {
		t.Errorf("read-only: %v", ro)
	}
}

func TestStoreHealthPassesThrough(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if h := New(db, 0).StoreHealth(); h.Status != "ok" || len(h.CorruptRecords) != 0 || h.ReadOnly || h.WriteFailure != "" {
		t.Errorf("health of a new store: %+v", h)
	}
	if _, err := db.PutServiceDescription("s1", map[string]any{"cmd": "ls"}); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	raw, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = raw.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("service-descriptions")).Put([]byte("s1"), []byte("damaged"))
	})
	_ = raw.Close()
	db, err = bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := New(db, 0).StoreHealth()
	if h.Status != "degraded" || len(h.CorruptRecords) != 1 || h.CorruptRecords[0] != `service description "s1"` {
		t.Errorf("health of a store with a damaged record: %+v", h)
	}
}
