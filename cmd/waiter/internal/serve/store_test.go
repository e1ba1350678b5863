package serve

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	bbolt "go.etcd.io/bbolt"

	"github.com/waiter-go/waiter/adapters/bolt"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
)

// storeWithDamagedToken writes a store holding the tokens app and other
// into a new data folder, then flips a byte of app's stored record, as
// disk damage would, and returns the folder.
func storeWithDamagedToken(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, StoreFile)
	db, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"app", "other"} {
		data := map[string]any{"cmd": "kitchen -p $PORT0", "cpus": 0.1, "mem": 64, "version": "v1", "owner": "alice"}
		if _, _, err := db.PutToken(name, data, "", "alice", time.Unix(1700000000, 0)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("tokens"))
		v := bytes.Clone(b.Get([]byte("app")))
		v[len(v)/2] ^= 0x04
		return b.Put([]byte("app"), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A router whose store holds a damaged token starts, serves the other
// tokens, answers the damaged one with a 500 naming it (on the API and
// the proxy path), and reports the damage on /status.
func TestDamagedTokenAtStart(t *testing.T) {
	dir := storeWithDamagedToken(t)
	r := startRouter(t, nil, func(c *config.Config) { c.DataDir = dir })

	status, body := read(t, r.call(t, "GET", "/token?token=app", nil, "Accept", "application/json"))
	wantBody(t, status, body, 500, `token \"app\"`, "corrupt record", "checksum mismatch")
	status, body = read(t, r.call(t, "GET", "/hello", nil, "x-waiter-token", "app", "Accept", "application/json"))
	wantBody(t, status, body, 500, "corrupt record")
	status, body = read(t, r.call(t, "GET", "/token?token=other", nil))
	wantBody(t, status, body, 200, "kitchen -p $PORT0")

	status, body = read(t, r.call(t, "GET", "/status", nil))
	wantBody(t, status, body, 200)
	store, _ := decode(t, body)["store"].(map[string]any)
	if store["status"] != "degraded" || store["corrupt-records"] != 1.0 {
		t.Fatalf("/status store = %v, want degraded with 1 corrupt record", store)
	}
}

// SIGTERM (a cancelled context) while the router checks its store stops
// it with the context's error, and leaves the store intact.
func TestRunStopsDuringStoreCheck(t *testing.T) {
	dir := storeWithDamagedToken(t)
	cfg := config.Default()
	cfg.DataDir = dir
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Run(ctx, Options{Config: cfg, Clock: clock.New(), Logger: slog.New(slog.DiscardHandler)})
	if !errors.Is(err, context.Canceled) || errors.Is(err, bolt.ErrCorrupt) {
		t.Fatalf("Run with a cancelled context = %v, want context.Canceled", err)
	}
	db, err := bolt.Open(filepath.Join(dir, StoreFile))
	if err != nil {
		t.Fatalf("the store after an interrupted check: %v", err)
	}
	if _, err := db.GetToken("other", false); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
}
