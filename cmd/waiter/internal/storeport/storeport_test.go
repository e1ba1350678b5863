package storeport

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

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
	if _, err := s.DB.PutServiceDescription("svc", map[string]any{"cpus": 1.0}); err != nil {
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
