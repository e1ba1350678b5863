package bolt_test

import (
	"path/filepath"
	"testing"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"

	"github.com/waiter-go/waiter/adapters/bolt"
)

// writeV1Store writes a store in schema version 1's layout (plain JSON
// values, empty owner-index values), as builds before checksums wrote it,
// with one token whose record is not JSON.
func writeV1Store(t *testing.T, path string) {
	t.Helper()
	put := func(b *bbolt.Bucket, k, v string) error { return b.Put([]byte(k), []byte(v)) }
	withBbolt(t, path, func(tx *bbolt.Tx) error {
		buckets := map[string]*bbolt.Bucket{}
		for _, name := range []string{"meta", "tokens", "token-history", "token-owners",
			"service-descriptions", "service-overrides", "service-suspension"} {
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			buckets[name] = b
		}
		hist, err := buckets["token-history"].CreateBucket([]byte("app"))
		if err != nil {
			return err
		}
		owners, err := buckets["token-owners"].CreateBucket([]byte("alice"))
		if err != nil {
			return err
		}
		for _, e := range []struct {
			b    *bbolt.Bucket
			k, v string
		}{
			{buckets["meta"], "schema", "waiter-go/adapters/bolt"},
			{buckets["meta"], "version", "1"},
			{buckets["tokens"], "app", `{"data":{"cmd":"v2","last-update-time":2,"last-update-user":"alice","owner":"alice"},"etag":"E-v1-current"}`},
			{buckets["tokens"], "broken", `{"data":{"cmd":"v`},
			{hist, "\x00\x00\x00\x00\x00\x00\x00\x01", `{"data":{"cmd":"v1","last-update-time":1,"last-update-user":"alice","owner":"alice"},"etag":"E-v1-prior"}`},
			{owners, "app", ""},
			{owners, "broken", ""},
			{buckets["service-descriptions"], "s1", `{"cmd":"ls","cpus":1}`},
			{buckets["service-overrides"], "s1", `{"last-updated-by":"alice","overrides":{"cpus":2},"time":1}`},
			{buckets["service-suspension"], "s1", `{"last-updated-by":"alice","suspended":true,"time":1}`},
		} {
			if err := put(e.b, e.k, e.v); err != nil {
				return err
			}
		}
		return hist.SetSequence(1)
	})
}

// TestOpen_MigratesSchemaV1 opens a version 1 file: every record reads as
// before, the file is now version 2 (so an older build refuses it rather
// than misreading sealed records), and the record that was not JSON is
// reported as corrupt, not refused and not vouched for.
func TestOpen_MigratesSchemaV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "waiter.db")
	writeV1Store(t, path)

	log := &logBuffer{}
	s, err := bolt.Open(path, bolt.WithLogger(log.logger()))
	if err != nil {
		t.Fatalf("Open of a version 1 store: %v", err)
	}
	checkMigrated(t, s)
	if log.count("migrated the store to schema version 2", "records=7", "left-unsealed=1") != 1 {
		t.Fatalf("the migration was not logged with its counts:\n%s", log.buf.String())
	}
	path = closeStore(t, s)

	withBbolt(t, path, func(tx *bbolt.Tx) error {
		if v := string(tx.Bucket([]byte("meta")).Get([]byte("version"))); v != "2" {
			t.Fatalf("schema version after the migration is %q, want 2", v)
		}
		return nil
	})
	// Reopening finds the same: the page walk now checks the seals.
	s = reopenLogged(t, path, &logBuffer{})
	checkMigrated(t, s)
	// And the migrated store is written as any other.
	if _, res := mustPut(t, s, "app", map[string]any{"cmd": "v3"}, "E-v1-current", "alice", t0); res != waiter.TokenUpdated {
		t.Fatalf("update after the migration: %s", res)
	}
	if hist, err := s.TokenHistory("app"); err != nil || len(hist) != 2 || hist[0].ETag != "E-v1-current" {
		t.Fatalf("history after an update: %v, %v", hist, err)
	}
}

func checkMigrated(t *testing.T, s *bolt.Store) {
	t.Helper()
	wantHealth(t, s, `token "broken"`)
	tok, err := s.GetToken("app", false)
	if err != nil || tok.Data["cmd"] != "v2" || tok.ETag != "E-v1-current" || tok.Owner() != "alice" {
		t.Fatalf("migrated token: %+v, %v", tok, err)
	}
	hist, err := s.TokenHistory("app")
	if err != nil || len(hist) != 1 || hist[0].Data["cmd"] != "v1" || hist[0].ETag != "E-v1-prior" {
		t.Fatalf("migrated history: %v, %v", hist, err)
	}
	list, err := s.ListTokens(waiter.TokenFilter{Owners: []string{"alice"}})
	if err != nil || len(list) != 1 || list[0].Name != "app" {
		t.Fatalf("migrated owner index: %v, %v", list, err)
	}
	_, err = s.GetToken("broken", false)
	wantCorrupt(t, err, `token "broken"`)
	if d, err := s.GetServiceDescription("s1"); err != nil || d["cmd"] != "ls" {
		t.Fatalf("migrated description: %v, %v", d, err)
	}
	if o, err := s.GetOverride("s1"); err != nil || o.Overrides["cpus"] != 2.0 || o.User != "alice" {
		t.Fatalf("migrated override: %+v, %v", o, err)
	}
	if sus, err := s.GetSuspended("s1"); err != nil || !sus.Suspended {
		t.Fatalf("migrated suspension: %+v, %v", sus, err)
	}
}
