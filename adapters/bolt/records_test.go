package bolt_test

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"

	"github.com/waiter-go/waiter/adapters/bolt"
)

// logBuffer collects a store's log for tests to count lines in.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// count returns how many log lines contain all of parts.
func (l *logBuffer) count(parts ...string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range strings.Split(l.buf.String(), "\n") {
		all := line != ""
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all {
			n++
		}
	}
	return n
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// reopenLogged closes s and opens its file again with a log.
func reopenLogged(t *testing.T, path string, log *logBuffer, opts ...bolt.Option) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(path, append(opts, bolt.WithLogger(log.logger()))...)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// closeStore closes s and returns its path.
func closeStore(t *testing.T, s *bolt.Store) string {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return s.Path()
}

// damageValue changes one stored value with plain bbolt, as damage on disk
// would, leaving the file's structure sound. buckets is the bucket path.
func damageValue(t *testing.T, path string, key string, damage func([]byte) []byte, buckets ...string) {
	t.Helper()
	withBbolt(t, path, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(buckets[0]))
		for _, name := range buckets[1:] {
			b = b.Bucket([]byte(name))
		}
		v := b.Get([]byte(key))
		if v == nil {
			t.Fatalf("no value %v/%q to damage", buckets, key)
		}
		return b.Put([]byte(key), damage(bytes.Clone(v)))
	})
}

// flipLast flips the bits of a value's last byte.
func flipLast(v []byte) []byte {
	v[len(v)-1] ^= 0xff
	return v
}

// wantCorrupt checks err reports a corrupt record naming record.
func wantCorrupt(t *testing.T, err error, record string) {
	t.Helper()
	var ce *waiter.CorruptRecordError
	if !errors.Is(err, waiter.ErrCorruptRecord) || !errors.As(err, &ce) || ce.Record != record {
		t.Fatalf("got %v, want a corrupt record error naming %s", err, record)
	}
	if !strings.Contains(err.Error(), "corrupt record") {
		t.Fatalf("error %q does not say corrupt record", err)
	}
}

// wantHealth checks the store's corrupt-record list.
func wantHealth(t *testing.T, s *bolt.Store, corrupt ...string) {
	t.Helper()
	h := s.StoreHealth()
	wantStatus := waiter.HealthOK
	if len(corrupt) > 0 {
		wantStatus = waiter.HealthDegraded
	}
	if h.Status != wantStatus || !reflect.DeepEqual(h.CorruptRecords, corrupt) {
		t.Fatalf("Health = %+v, want status %s and corrupt records %q", h, wantStatus, corrupt)
	}
}

// TestCorruptToken_FlippedByteInFile flips one byte inside a token's value
// in the file itself: Open succeeds, the token is never served, the rest
// is, /status's source (Health) names it, and the log says so once.
func TestCorruptToken_FlippedByteInFile(t *testing.T) {
	s := openStore(t)
	const marker = "kitchen --marker-0123456789"
	mustPut(t, s, "app", map[string]any{"cmd": marker}, "", "alice", t0)
	mustPut(t, s, "other", map[string]any{"cmd": "ls"}, "", "alice", t0)
	path := closeStore(t, s)

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Copy-on-write leaves old copies of the page on free pages; flip the
	// byte in every copy so the live one is among them.
	flipped := 0
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte(marker))
		if j < 0 {
			break
		}
		raw[i+j+len("kitchen --marker-")] ^= 0x01 // '0' becomes '1'
		i += j + len(marker)
		flipped++
	}
	if flipped == 0 {
		t.Fatal("marker not found in the file")
	}
	writeFile(t, path, raw)

	log := &logBuffer{}
	s = reopenLogged(t, path, log)
	wantHealth(t, s, `token "app"`)
	for range 3 {
		_, err := s.GetToken("app", false)
		wantCorrupt(t, err, `token "app"`)
		if !strings.Contains(err.Error(), "checksum mismatch") {
			t.Fatalf("error %q does not say what is wrong", err)
		}
	}
	if _, err := s.GetToken("app", true); !errors.Is(err, waiter.ErrCorruptRecord) {
		t.Fatalf("GetToken(app, include deleted) = %v, want a corrupt record error", err)
	}
	if tok, err := s.GetToken("other", false); err != nil || tok.Data["cmd"] != "ls" {
		t.Fatalf("the undamaged token: %+v, %v", tok, err)
	}
	for _, f := range []waiter.TokenFilter{{}, {Owners: []string{"alice"}}} {
		list, err := s.ListTokens(f)
		if err != nil || len(list) != 1 || list[0].Name != "other" {
			t.Fatalf("ListTokens(%+v) = %v, %v; want only the undamaged token", f, list, err)
		}
	}
	// A damaged token cannot be overwritten blind: its ETag and owner are
	// unknown, so If-Match and ownership cannot be checked.
	if _, _, err := s.PutToken("app", map[string]any{"cmd": "ls"}, "", "alice", t0); !errors.Is(err, waiter.ErrCorruptRecord) {
		t.Fatalf("PutToken over a damaged token = %v, want a corrupt record error", err)
	}
	if n := log.count("corrupt record found", `token \"app\"`); n != 1 {
		t.Fatalf("the damaged token was logged %d times, want once:\n%s", n, log.buf.String())
	}
}

// TestCorruptRecord_UnderAnotherKey moves an intact sealed record to
// another key, as a damaged key byte would: the checksum covers the key,
// so the record under the new name is corrupt, not a valid token.
func TestCorruptRecord_UnderAnotherKey(t *testing.T) {
	s := openStore(t)
	mustPut(t, s, "app", map[string]any{"cmd": "ls"}, "", "alice", t0)
	path := closeStore(t, s)
	withBbolt(t, path, func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte("tokens"))
		v := bytes.Clone(b.Get([]byte("app")))
		if err := b.Delete([]byte("app")); err != nil {
			return err
		}
		return b.Put([]byte("apq"), v)
	})
	s = reopenLogged(t, path, &logBuffer{})
	wantHealth(t, s, `token "apq"`)
	_, err := s.GetToken("apq", false)
	wantCorrupt(t, err, `token "apq"`)
	if _, err := s.GetToken("app", false); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Fatalf("GetToken(app) = %v, want not found", err)
	}
}

// TestCorruptHistoryEntry damages a prior version: the current version is
// served, the history leaves the damaged entry out, and once a write
// trims the entry away Health is clean again.
func TestCorruptHistoryEntry(t *testing.T) {
	s := openStore(t)
	mustPut(t, s, "app", map[string]any{"cmd": "v1"}, "", "alice", t0)
	mustPut(t, s, "app", map[string]any{"cmd": "v2"}, "", "alice", t0)
	mustPut(t, s, "app", map[string]any{"cmd": "v3"}, "", "alice", t0)
	path := closeStore(t, s)
	damageValue(t, path, "\x00\x00\x00\x00\x00\x00\x00\x01", flipLast, "token-history", "app")

	s = reopenLogged(t, path, &logBuffer{}, bolt.WithHistoryLength(2))
	const entry = `token "app" history entry 1`
	wantHealth(t, s, entry)
	if tok, err := s.GetToken("app", false); err != nil || tok.Data["cmd"] != "v3" {
		t.Fatalf("current version: %+v, %v", tok, err)
	}
	hist, err := s.TokenHistory("app")
	if err != nil || len(hist) != 1 || hist[0].Data["cmd"] != "v2" {
		t.Fatalf("TokenHistory = %v, %v; want only the undamaged v2", hist, err)
	}
	// The next update pushes v3; the limit of 2 drops the oldest entry,
	// which is the damaged one.
	mustPut(t, s, "app", map[string]any{"cmd": "v4"}, "", "alice", t0)
	wantHealth(t, s)
	hist, err = s.TokenHistory("app")
	if err != nil || len(hist) != 2 || hist[0].Data["cmd"] != "v3" || hist[1].Data["cmd"] != "v2" {
		t.Fatalf("TokenHistory after the trim = %v, %v", hist, err)
	}
}

// TestCorruptServiceRecords damages a description, an override and a
// suspension: each read reports the record, listings skip it, and
// writing the record again repairs it.
func TestCorruptServiceRecords(t *testing.T) {
	s := openStore(t)
	desc := map[string]any{"cmd": "ls", "cpus": 1.0}
	if _, err := s.PutServiceDescription("s1", desc); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutServiceDescription("s2", desc); err != nil {
		t.Fatal(err)
	}
	if err := s.PutOverride("s1", map[string]any{"cpus": 2.0}, "alice", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSuspended("s1", true, "alice", t0); err != nil {
		t.Fatal(err)
	}
	path := closeStore(t, s)
	damageValue(t, path, "s1", flipLast, "service-descriptions")
	damageValue(t, path, "s1", flipLast, "service-overrides")
	damageValue(t, path, "s1", flipLast, "service-suspension")

	s = reopenLogged(t, path, &logBuffer{})
	wantHealth(t, s, `override of service "s1"`, `service description "s1"`, `suspension of service "s1"`)
	_, err := s.GetServiceDescription("s1")
	wantCorrupt(t, err, `service description "s1"`)
	_, err = s.GetOverride("s1")
	wantCorrupt(t, err, `override of service "s1"`)
	_, err = s.GetSuspended("s1")
	wantCorrupt(t, err, `suspension of service "s1"`)
	list, err := s.ListServiceDescriptions()
	if err != nil || len(list) != 1 || list[0].ID != "s2" {
		t.Fatalf("ListServiceDescriptions = %v, %v; want only s2", list, err)
	}

	if wrote, err := s.PutServiceDescription("s1", desc); err != nil || !wrote {
		t.Fatalf("re-storing the damaged description: wrote %v, %v", wrote, err)
	}
	if err := s.PutOverride("s1", map[string]any{"cpus": 2.0}, "alice", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSuspended("s1", false, "alice", t0); err != nil {
		t.Fatal(err)
	}
	wantHealth(t, s)
	if d, err := s.GetServiceDescription("s1"); err != nil || d["cmd"] != "ls" {
		t.Fatalf("repaired description: %v, %v", d, err)
	}
}

// TestCorruptOwnerIndexEntry damages an owner-index entry: the token is
// still served by name, and listing by owner leaves the entry out rather
// than trusting its key.
func TestCorruptOwnerIndexEntry(t *testing.T) {
	s := openStore(t)
	mustPut(t, s, "app", map[string]any{"cmd": "ls"}, "", "alice", t0)
	mustPut(t, s, "web", map[string]any{"cmd": "ls"}, "", "alice", t0)
	path := closeStore(t, s)
	damageValue(t, path, "app", func([]byte) []byte { return []byte{1, 0, 0, 0, 0} }, "token-owners", "alice")

	s = reopenLogged(t, path, &logBuffer{})
	wantHealth(t, s, `owner index entry "alice"/"app"`)
	if _, err := s.GetToken("app", false); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListTokens(waiter.TokenFilter{Owners: []string{"alice"}})
	if err != nil || len(list) != 1 || list[0].Name != "web" {
		t.Fatalf("ListTokens(alice) = %v, %v; want only web", list, err)
	}
}

// TestCorruptRecord_FoundOnReadAfterOpen damages a record after the store
// is open (the disk changed under the page cache): reads still check, so
// it is detected then, and added to Health.
func TestCorruptRecord_FoundOnReadAfterOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "waiter.db")
	s, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "app", map[string]any{"cmd": "ls"}, "", "alice", t0)
	wantHealth(t, s)
	bolt.DamageValueForTest(t, s, "tokens", "app")
	_, err = s.GetToken("app", false)
	wantCorrupt(t, err, `token "app"`)
	wantHealth(t, s, `token "app"`)
	_ = s.Close()
}
