package tokencache

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/bolt"
	bbolt "go.etcd.io/bbolt"
)

// openStore opens a bolt store in a fresh folder, closed at the test's end.
func openStore(t *testing.T) *bolt.Store {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "waiter.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestTokenCacheSeesEveryWrite(t *testing.T) {
	db := openStore(t)
	s := New(db, 0)
	now := time.Unix(0, 0)
	if _, err := s.GetToken("tok", false); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Fatalf("missing token: %v", err)
	}
	if _, _, err := s.PutToken("tok", map[string]any{"cmd": "a", "owner": "me"}, "", "me", now); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetToken("tok", false)
	if err != nil || got.Data["cmd"] != "a" {
		t.Fatalf("cached not-found survived a create: %v %v", got, err)
	}
	if _, _, err := s.PutToken("tok", map[string]any{"cmd": "b", "owner": "me"}, "", "me", now); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetToken("tok", false); got.Data["cmd"] != "b" {
		t.Fatalf("stale token after an update: %v", got.Data)
	}
	if _, err := s.DeleteToken("tok", false, "", "me", now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetToken("tok", false); !errors.Is(err, waiter.ErrTokenNotFound) {
		t.Fatalf("deleted token still served: %v", err)
	}
}

// Readers that race every write (the cache's reads take no lock) never
// keep a token past the write that replaced it: once a write returns,
// every read sees it or a later one.
func TestTokenCacheConcurrentReadersSeeEachWrite(t *testing.T) {
	db := openStore(t)
	s := New(db, 0)
	now := time.Unix(0, 0)
	var written atomic.Int64 // the last version whose write returned
	stop := make(chan struct{})
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					errs <- nil
					return
				default:
				}
				floor := written.Load()
				tok, err := s.GetToken("tok", false)
				if floor == 0 {
					continue // before the first write: missing or not
				}
				if err != nil {
					errs <- fmt.Errorf("version %d written, read: %w", floor, err)
					return
				}
				if v, _ := tok.Data["version"].(float64); int64(v) < floor {
					errs <- fmt.Errorf("read version %v after version %d was written", v, floor)
					return
				}
			}
		}()
	}
	for v := int64(1); v <= 300; v++ {
		if _, _, err := s.PutToken("tok", map[string]any{"cmd": "c", "owner": "me", "version": float64(v)}, "", "me", now); err != nil {
			t.Fatal(err)
		}
		written.Store(v)
	}
	close(stop)
	wg.Wait()
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestTokenCacheDropsReadsThatRaceAWrite(t *testing.T) {
	c := &tokenCache{max: 10}
	_, gen, hit, _ := c.get("tok")
	if hit {
		t.Fatal("hit in an empty cache")
	}
	c.forget("tok") // a write lands while the read is in flight
	c.put("tok", waiter.Token{Name: "tok", ETag: "old"}, nil, gen)
	if _, _, hit, _ := c.get("tok"); hit {
		t.Fatal("a read that raced a write was cached")
	}
}

// The cache stays within its size however many names are looked up.
func TestTokenCacheIsBounded(t *testing.T) {
	db := openStore(t)
	s := New(db, 100)
	for i := range 1000 {
		if _, err := s.GetToken(fmt.Sprint("made-up-", i), false); !errors.Is(err, waiter.ErrTokenNotFound) {
			t.Fatal(err)
		}
		if n := s.CachedTokens(); n > 100 {
			t.Fatalf("%d entries after %d lookups, past the size 100", n, i+1)
		}
	}
}

// countingStore counts the token reads that reach the store.
type countingStore struct {
	*bolt.Store
	reads int
}

func (c *countingStore) GetToken(name string, includeDeleted bool) (waiter.Token, error) {
	c.reads++
	return c.Store.GetToken(name, includeDeleted)
}

// Repeated lookups of a live or a missing token are served from memory;
// lookups that include soft-deleted tokens always reach the store.
func TestTokenCacheServesRepeatedReads(t *testing.T) {
	db := openStore(t)
	inner := &countingStore{Store: db}
	s := New(inner, 0)
	if _, _, err := s.PutToken("tok", map[string]any{"cmd": "a", "owner": "me"}, "", "me", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got, err := s.GetToken("tok", false); err != nil || got.Data["cmd"] != "a" {
			t.Fatalf("GetToken: %v %v", got, err)
		}
		if _, err := s.GetToken("nope", false); !errors.Is(err, waiter.ErrTokenNotFound) {
			t.Fatalf("missing token: %v", err)
		}
	}
	if inner.reads != 2 {
		t.Errorf("%d store reads for 6 lookups of 2 names, want 2", inner.reads)
	}
	for range 2 {
		if _, err := s.GetToken("tok", true); err != nil {
			t.Fatal(err)
		}
	}
	if inner.reads != 4 {
		t.Errorf("%d store reads after 2 lookups with deleted tokens, want 4", inner.reads)
	}
}

// /status sees the store's own health through the cache: a record
// damaged on disk makes it degraded, naming the record.
func TestStoreHealthPassesThrough(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if h := New(db, 0).StoreHealth(); h.Status != waiter.HealthOK || len(h.CorruptRecords) != 0 || h.ReadOnly || h.WriteFailure != "" {
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
	if err := raw.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket([]byte("service-descriptions")).Put([]byte("s1"), []byte("damaged"))
	}); err != nil {
		t.Fatal(err)
	}
	_ = raw.Close()
	db, err = bolt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := New(db, 0).StoreHealth()
	if h.Status != waiter.HealthDegraded || len(h.CorruptRecords) != 1 || h.CorruptRecords[0] != `service description "s1"` {
		t.Errorf("health of a store with a damaged record: %+v", h)
	}
}

// BenchmarkTokenCacheGet reads one cached token from every core at once,
// as the router's event loops do, against the same read from a map
// under a mutex (the cache before its reads went lock-free), in the same
// run: x-mutex-map is the ratio of the two.
func BenchmarkTokenCacheGet(b *testing.B) {
	c := &tokenCache{max: 10}
	c.put("tok", waiter.Token{Name: "tok", ETag: "e1"}, nil, 0)
	var mu sync.Mutex
	m := map[string]cachedToken{"tok": {t: waiter.Token{Name: "tok", ETag: "e1"}}}
	mutexGet := func() waiter.Token {
		mu.Lock()
		defer mu.Unlock()
		return m["tok"].t
	}
	run := func(get func() waiter.Token) time.Duration {
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if get().ETag != "e1" {
					panic("wrong token")
				}
			}
		})
		return time.Since(start)
	}
	b.ResetTimer()
	lockFree := run(func() waiter.Token { t, _, _, _ := c.get("tok"); return t })
	b.StopTimer()
	mutexed := run(mutexGet)
	b.ReportMetric(float64(mutexed)/float64(lockFree), "x-mutex-map")
}
