package bolt_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/waiter-go/waiter/adapters/bolt"
)

// The benchmarks compare the store with raw bbolt doing the same I/O
// (one fsynced Update per write, one View per read) on a record of the same
// size, measured in the same run. The "x-baseline" metric is store ns/op
// over baseline ns/op: the cost of JSON, the ETag, history and the owner
// index on top of bbolt itself.

const benchTokens = 100

func benchData(i int) map[string]any {
	return map[string]any{
		"cmd": "kitchen -p $PORT0", "cpus": 0.5, "mem": 256, "version": fmt.Sprint("v", i),
		"run-as-user": "alice", "permitted-user": "*", "health-check-url": "/status",
		"min-instances": 1, "max-instances": 10, "fallback-period-secs": 300,
	}
}

// rawBbolt opens a plain bbolt file with one bucket holding benchTokens
// records the size of a stored token.
func rawBbolt(b *testing.B) (*bbolt.DB, []byte) {
	b.Helper()
	s := openStore(b)
	tok, _ := mustPut(b, s, "sample", benchData(0), "", "alice", t0)
	data, err := json.Marshal(tok.Data)
	if err != nil {
		b.Fatal(err)
	}
	record := []byte(fmt.Sprintf(`{"data":%s,"etag":%q}`, data, tok.ETag))

	db, err := bbolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	err = db.Update(func(tx *bbolt.Tx) error {
		bk, err := tx.CreateBucket([]byte("tokens"))
		if err != nil {
			return err
		}
		for i := range benchTokens {
			if err := bk.Put([]byte(fmt.Sprint("token-", i)), record); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, record
}

func filledStore(b *testing.B) *bolt.Store {
	b.Helper()
	s := openStore(b)
	for i := range benchTokens {
		mustPut(b, s, fmt.Sprint("token-", i), benchData(i), "", "alice", t0)
	}
	return s
}

func nsPerOp(b *testing.B) float64 {
	return float64(b.Elapsed().Nanoseconds()) / float64(b.N)
}

func BenchmarkPutToken(b *testing.B) {
	var baseline float64
	b.Run("baseline-bbolt-update", func(b *testing.B) {
		db, record := rawBbolt(b)
		b.ResetTimer()
		for i := range b.N {
			key := []byte(fmt.Sprint("token-", i%benchTokens))
			err := db.Update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte("tokens")).Put(key, record) })
			if err != nil {
				b.Fatal(err)
			}
		}
		baseline = nsPerOp(b)
	})
	b.Run("update", func(b *testing.B) {
		s := filledStore(b)
		b.ResetTimer()
		for i := range b.N {
			// A real change each time, so every call writes, pushes
			// history and trims it.
			if _, _, err := s.PutToken(fmt.Sprint("token-", i%benchTokens), benchData(benchTokens+i), "", "alice", t0); err != nil {
				b.Fatal(err)
			}
		}
		if baseline > 0 {
			b.ReportMetric(nsPerOp(b)/baseline, "x-baseline")
		}
	})
	b.Run("no-op", func(b *testing.B) {
		s := filledStore(b)
		b.ResetTimer()
		for i := range b.N {
			n := i % benchTokens
			if _, _, err := s.PutToken(fmt.Sprint("token-", n), benchData(n), "", "alice", t0); err != nil {
				b.Fatal(err)
			}
		}
		if baseline > 0 {
			b.ReportMetric(nsPerOp(b)/baseline, "x-baseline")
		}
	})
}

func BenchmarkGetToken(b *testing.B) {
	var baseline float64
	b.Run("baseline-bbolt-view", func(b *testing.B) {
		db, _ := rawBbolt(b)
		b.ResetTimer()
		for i := range b.N {
			key := []byte(fmt.Sprint("token-", i%benchTokens))
			err := db.View(func(tx *bbolt.Tx) error {
				if v := tx.Bucket([]byte("tokens")).Get(key); v == nil {
					return fmt.Errorf("missing %s", key)
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		baseline = nsPerOp(b)
	})
	b.Run("get", func(b *testing.B) {
		s := filledStore(b)
		b.ResetTimer()
		for i := range b.N {
			if _, err := s.GetToken(fmt.Sprint("token-", i%benchTokens), false); err != nil {
				b.Fatal(err)
			}
		}
		if baseline > 0 {
			b.ReportMetric(nsPerOp(b)/baseline, "x-baseline")
		}
	})
}
