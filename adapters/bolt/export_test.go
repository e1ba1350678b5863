package bolt

import (
	"bytes"
	"testing"

	bbolt "go.etcd.io/bbolt"
)

// SetNoSync turns fsync after each commit off or on. Benchmarks use it to
// build large fixtures quickly; no test of durability may.
func SetNoSync(s *Store, noSync bool) { s.db.NoSync = noSync }

// DamageValueForTest flips the last byte of a top-level bucket's value
// inside the open store, as a disk error under a running router would.
func DamageValueForTest(t testing.TB, s *Store, bucket, key string) {
	t.Helper()
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		v := bytes.Clone(b.Get([]byte(key)))
		v[len(v)-1] ^= 0xff
		return b.Put([]byte(key), v)
	})
	if err != nil {
		t.Fatal(err)
	}
}
