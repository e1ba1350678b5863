package bolt

import (
	"encoding/binary"
	"fmt"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"
)

// History lives in a nested bucket per token under token-history, keyed by
// a big-endian sequence number so cursor order is write order. Keeping it
// out of the token record (Waiter nests it as "previous") means a read of
// the current token does not decode its whole past, and trimming is a
// delete of the oldest key rather than a rewrite.

// pushHistory appends a prior version (its record payload, sealed here
// under the history entry's own key) and drops the oldest versions beyond
// limit.
func pushHistory(tx *bbolt.Tx, name string, payload []byte, limit int) error {
	if limit <= 0 {
		return dropHistory(tx, name)
	}
	b, err := tx.Bucket(bucketTokenHistory).CreateBucketIfNotExists([]byte(name))
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	var key [8]byte
	binary.BigEndian.PutUint64(key[:], seq)
	if err := b.Put(key[:], historyScope(name).seal(key[:], payload)); err != nil {
		return err
	}
	return trimHistory(b, limit)
}

// trimHistory deletes the oldest entries until at most limit remain.
// It counts with a cursor rather than Bucket.Stats, which reads committed
// pages and would miss this transaction's writes, and it deletes from the
// front each time because deleting while stepping a cursor can skip keys.
func trimHistory(b *bbolt.Bucket, limit int) error {
	n := 0
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n++
	}
	for ; n > limit; n-- {
		if k, _ := c.First(); k == nil {
			return nil
		}
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// dropHistory forgets every prior version of a token.
func dropHistory(tx *bbolt.Tx, name string) error {
	h := tx.Bucket(bucketTokenHistory)
	if h.Bucket([]byte(name)) == nil {
		return nil
	}
	return h.DeleteBucket([]byte(name))
}

// readHistory returns the prior versions, newest first. Damaged entries
// are left out and noted in the store's health.
func (s *Store) readHistory(tx *bbolt.Tx, name string) ([]waiter.Token, error) {
	b := tx.Bucket(bucketTokenHistory).Bucket([]byte(name))
	if b == nil {
		return nil, nil
	}
	sc := historyScope(name)
	var out []waiter.Token
	c := b.Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		t, err := openToken(sc, nameHistory(name, k), name, k, v)
		if s.skipCorrupt(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// recheckToken brings the store's list of corrupt records up to date for
// one token after a write to it: the write may have trimmed or dropped
// damaged history entries. It reads only when the list names the token,
// so a healthy store pays nothing.
func (s *Store) recheckToken(name string) {
	prefix := nameToken(name)
	if !s.health.forget(prefix, prefix+" history entry ") {
		return
	}
	// Reading notes what is still damaged; a failed read leaves the
	// entries forgotten until they are next read.
	_ = s.view(fmt.Sprintf("recheck token %q", name), func(tx *bbolt.Tx) error {
		if _, _, err := loadToken(tx, name); err != nil {
			s.health.noteCorrupt(err)
		}
		_, err := s.readHistory(tx, name)
		return err
	})
}
