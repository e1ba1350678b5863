package bolt

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"
)

// migration is what a schema version 1 to 2 migration did.
type migration struct {
	migrated int                          // records sealed
	unsealed []*waiter.CorruptRecordError // records left as they were, because damaged
}

// sealPlainRecords migrates schema version 1 to 2: it seals every value in
// the data buckets and their nested buckets with its checksum, in the
// caller's transaction. A version 1 value that should be JSON and is not
// is left unsealed: it then fails its checksum like any damaged record
// and is reported as one, rather than the migration vouching for it.
func sealPlainRecords(tx *bbolt.Tx) (migration, error) {
	var m migration
	for _, name := range dataBuckets {
		if b := tx.Bucket(name); b != nil {
			if err := sealBucket(b, [][]byte{name}, jsonBuckets[string(name)], &m); err != nil {
				return m, err
			}
		}
	}
	return m, nil
}

// sealBucket seals the values of b, whose bucket path is path, and then
// those of its nested buckets. It reads before it writes, because bbolt
// does not allow changing a bucket while iterating it.
func sealBucket(b *bbolt.Bucket, path [][]byte, jsonValues bool, m *migration) error {
	type kv struct{ k, v []byte }
	var values []kv
	var nested [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if v == nil {
			nested = append(nested, bytes.Clone(k))
		} else {
			values = append(values, kv{bytes.Clone(k), bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	sc := scopeOf(path...)
	for _, e := range values {
		if jsonValues && !json.Valid(e.v) {
			m.unsealed = append(m.unsealed, &waiter.CorruptRecordError{Record: recordName(path, e.k),
				Problem: fmt.Sprintf("not valid JSON in the schema version %d file; left unsealed by the migration", schemaVersionPlain)})
			continue
		}
		if err := b.Put(e.k, sc.seal(e.k, e.v)); err != nil {
			return err
		}
		m.migrated++
	}
	for _, k := range nested {
		if child := b.Bucket(k); child != nil {
			if err := sealBucket(child, append(path[:len(path):len(path)], k), jsonValues, m); err != nil {
				return err
			}
		}
	}
	return nil
}
