package bolt

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"
)

// Schema marker and version kept in the meta bucket. The marker tells our
// file from any other bbolt file; the version lets a layout change refuse
// (or migrate) files it does not understand instead of misreading them.
//
// Version 1 stored plain JSON values. Version 2 seals every value in the
// data buckets with a checksum (record.go); Open migrates a version 1 file
// in one transaction, so a file is wholly one version or the other, and a
// build that reads only version 1 refuses a migrated file instead of
// reading sealed records as JSON.
const (
	schemaMarker  = "waiter-go/adapters/bolt"
	schemaVersion = 2
	// schemaVersionPlain is the last version without record checksums.
	schemaVersionPlain = 1
)

var (
	bucketMeta         = []byte("meta")
	bucketTokens       = []byte("tokens")
	bucketTokenHistory = []byte("token-history")
	bucketTokenOwners  = []byte("token-owners")
	bucketServices     = []byte("service-descriptions")
	bucketOverrides    = []byte("service-overrides")
	bucketSuspension   = []byte("service-suspension")
	bucketSourceTokens = []byte("service-source-tokens")

	keySchema  = []byte("schema")
	keyVersion = []byte("version")
)

// dataBuckets are created with the schema and must exist in every store.
var dataBuckets = [][]byte{
	bucketTokens, bucketTokenHistory, bucketTokenOwners,
	bucketServices, bucketOverrides, bucketSuspension, bucketSourceTokens,
}

// laterBuckets were added to schema version 2 after its first files were
// written: a file without them is still version 2. Open creates them; a
// file opened read-only does without them (reads find nothing there).
var laterBuckets = map[string]bool{string(bucketSourceTokens): true}

// jsonBuckets hold JSON values, in nested buckets too; Open checks them.
// The meta bucket holds plain strings and the owner index empty values.
var jsonBuckets = map[string]bool{
	string(bucketTokens): true, string(bucketTokenHistory): true,
	string(bucketServices): true, string(bucketOverrides): true, string(bucketSuspension): true,
	string(bucketSourceTokens): true,
}

// ensureSchema checks the marker of an existing store, writes the schema
// into a file that has no buckets at all (a bbolt file created but never
// used), and migrates a version 1 store, saying what the migration did. A bbolt file with other buckets and no marker belongs
// to someone else and is refused rather than written into. A store opened
// read-only (readOnlyErr set) cannot be initialised or migrated.
func ensureSchema(db *bbolt.DB, path string, readOnlyErr error) (migration, error) {
	needsInit, needsMigration := false, false
	// onlyLater: every missing data bucket is one of laterBuckets.
	onlyLater := true
	err := db.View(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			names := topLevelBuckets(tx)
			if len(names) > 0 {
				return fmt.Errorf("%w: %s is a bbolt database without the waiter schema marker (buckets: %v)",
					ErrForeignFile, path, names)
			}
			needsInit = true
			return nil
		}
		if got := string(meta.Get(keySchema)); got != schemaMarker {
			return fmt.Errorf("%w: %s has schema marker %q, want %q", ErrForeignFile, path, got, schemaMarker)
		}
		raw := string(meta.Get(keyVersion))
		switch v, err := strconv.Atoi(raw); {
		case err == nil && v == schemaVersionPlain:
			needsMigration = true
		case err != nil || v != schemaVersion:
			return fmt.Errorf("%w: %s has schema version %q, this build reads versions %d and %d",
				ErrSchemaVersion, path, raw, schemaVersionPlain, schemaVersion)
		}
		for _, name := range dataBuckets {
			if tx.Bucket(name) == nil {
				needsInit = true
				onlyLater = onlyLater && laterBuckets[string(name)]
			}
		}
		return nil
	})
	if err != nil || (!needsInit && !needsMigration) {
		return migration{}, err
	}
	if readOnlyErr != nil && !needsMigration && onlyLater {
		return migration{}, nil
	}
	if readOnlyErr != nil {
		return migration{}, fmt.Errorf("%w: %s needs its schema written or migrated, and %w", waiter.ErrStoreReadOnly, path, readOnlyErr)
	}
	var m migration
	err = db.Update(func(tx *bbolt.Tx) error {
		if needsMigration {
			var err error
			if m, err = sealPlainRecords(tx); err != nil {
				return fmt.Errorf("migrate from schema version %d: %w", schemaVersionPlain, err)
			}
		}
		return writeSchema(tx)
	})
	if err != nil {
		return migration{}, opError(fmt.Sprintf("write schema to %s", path), err)
	}
	return m, nil
}

// writeSchema writes the marker and the current version and creates any
// missing data bucket.
func writeSchema(tx *bbolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	if err := meta.Put(keySchema, []byte(schemaMarker)); err != nil {
		return err
	}
	if err := meta.Put(keyVersion, []byte(strconv.Itoa(schemaVersion))); err != nil {
		return err
	}
	for _, name := range dataBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

func topLevelBuckets(tx *bbolt.Tx) []string {
	var names []string
	_ = tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
		names = append(names, string(name))
		return nil
	})
	sort.Strings(names)
	return names
}
