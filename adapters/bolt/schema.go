package bolt

import (
	"fmt"
	"sort"
	"strconv"

	bbolt "go.etcd.io/bbolt"
)

// Schema marker and version kept in the meta bucket. The marker tells our
// file from any other bbolt file; the version lets a future layout change
// refuse (or migrate) files it does not understand instead of misreading them.
const (
	schemaMarker  = "waiter-go/adapters/bolt"
	schemaVersion = 1
)

var (
	bucketMeta         = []byte("meta")
	bucketTokens       = []byte("tokens")
	bucketTokenHistory = []byte("token-history")
	bucketTokenOwners  = []byte("token-owners")
	bucketServices     = []byte("service-descriptions")
	bucketOverrides    = []byte("service-overrides")
	bucketSuspension   = []byte("service-suspension")

	keySchema  = []byte("schema")
	keyVersion = []byte("version")
)

// dataBuckets are created with the schema and must exist in every store.
var dataBuckets = [][]byte{
	bucketTokens, bucketTokenHistory, bucketTokenOwners,
	bucketServices, bucketOverrides, bucketSuspension,
}

// jsonBuckets hold JSON values, in nested buckets too; Open checks them.
// The meta bucket holds plain strings and the owner index empty values.
var jsonBuckets = map[string]bool{
	string(bucketTokens): true, string(bucketTokenHistory): true,
	string(bucketServices): true, string(bucketOverrides): true, string(bucketSuspension): true,
}

// hasOurMarker reports whether the file carries this package's marker.
func hasOurMarker(tx *bbolt.Tx) bool {
	meta := tx.Bucket(bucketMeta)
	return meta != nil && string(meta.Get(keySchema)) == schemaMarker
}

// ensureSchema checks the marker of an existing store, or writes the schema
// into a file that has no buckets at all (new, or created by bbolt but never
// used). A bbolt file with other buckets and no marker belongs to someone
// else and is refused rather than written into.
func ensureSchema(db *bbolt.DB, path string) error {
	needsInit := false
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
		v, err := strconv.Atoi(raw)
		if err != nil || v != schemaVersion {
			return fmt.Errorf("%w: %s has schema version %q, this build reads version %d",
				ErrSchemaVersion, path, raw, schemaVersion)
		}
		for _, name := range dataBuckets {
			if tx.Bucket(name) == nil {
				needsInit = true
			}
		}
		return nil
	})
	if err != nil || !needsInit {
		return err
	}
	err = db.Update(func(tx *bbolt.Tx) error {
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
	})
	if err != nil {
		return fmt.Errorf("bolt: write schema to %s: %w", path, err)
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
