package bolt

import (
	bbolt "go.etcd.io/bbolt"
)

// ownedTokens lists, in key order, the tokens the index says owner owns.
// Entries that fail their checksum are left out and noted: a damaged
// entry's key may be another token's name, or no token's.
func (s *Store) ownedTokens(index *bbolt.Bucket, owner string) ([]string, error) {
	b := index.Bucket([]byte(owner))
	if b == nil {
		return nil, nil
	}
	sc := ownerScope(owner)
	var names []string
	err := b.ForEach(func(k, v []byte) error {
		if _, err := openRecord(sc, nameOwnerEntry(owner, string(k)), k, v); s.skipCorrupt(err) {
			return nil
		}
		names = append(names, string(k))
		return nil
	})
	return names, err
}

// The owner index (Waiter's ^TOKEN_OWNERS and ^TOKEN_OWNERS_<uuid> keys)
// is a nested bucket per owner holding the names of that owner's tokens,
// live or soft-deleted. It is written in the same transaction as the token,
// so unlike Waiter's it never needs a reindex.

// indexOwner records that owner owns the token.
func indexOwner(tx *bbolt.Tx, owner, name string) error {
	b, err := tx.Bucket(bucketTokenOwners).CreateBucketIfNotExists([]byte(owner))
	if err != nil {
		return err
	}
	return b.Put([]byte(name), ownerScope(owner).seal([]byte(name), nil))
}

// unindexOwner removes the token from owner's index, and the owner from the
// index once they own nothing, so Owners lists only current owners.
func unindexOwner(tx *bbolt.Tx, owner, name string) error {
	index := tx.Bucket(bucketTokenOwners)
	b := index.Bucket([]byte(owner))
	if b == nil {
		return nil
	}
	if err := b.Delete([]byte(name)); err != nil {
		return err
	}
	if k, _ := b.Cursor().First(); k == nil {
		return index.DeleteBucket([]byte(owner))
	}
	return nil
}
