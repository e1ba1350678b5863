package bolt_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/waiter-go/waiter/adapters/bolt"
)

// openBenchTokens is the size of the store BenchmarkOpen opens: a large
// router's worth of tokens, each with one prior version in its history.
const openBenchTokens = 10000

// buildOpenBenchStore writes openBenchTokens tokens (created, then updated
// once) into a new store and returns its path. Fsync is off while
// building: the fixture's durability is not what is measured.
func buildOpenBenchStore(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "waiter.db")
	s, err := bolt.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	bolt.SetNoSync(s, true)
	for i := range openBenchTokens {
		name := fmt.Sprint("token-", i)
		mustPut(b, s, name, benchData(i), "", "alice", t0)
		mustPut(b, s, name, benchData(i+openBenchTokens), "", "alice", t0.Add(time.Minute))
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkOpen measures opening (and closing) a 10k-token store: the
// baseline is bbolt's own open, which checks only the meta pages; the
// store's Open also checks every page, every record and the free list.
// "x-baseline" is the store's ns/op over bbolt's.
func BenchmarkOpen(b *testing.B) {
	path := buildOpenBenchStore(b)
	if info, err := os.Stat(path); err == nil {
		b.Logf("store: %d tokens, %d bytes", openBenchTokens, info.Size())
	}
	var baseline float64
	b.Run("baseline-bbolt-open", func(b *testing.B) {
		for b.Loop() {
			db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
			if err != nil {
				b.Fatal(err)
			}
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
		}
		baseline = nsPerOp(b)
	})
	b.Run("verified-open", func(b *testing.B) {
		for b.Loop() {
			s, err := bolt.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
		}
		if baseline > 0 {
			b.ReportMetric(nsPerOp(b)/baseline, "x-baseline")
		}
	})
}
