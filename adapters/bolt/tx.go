package bolt

import (
	"errors"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"
)

// view runs a read transaction; a corrupt record it ran into is noted in
// the store's health.
func (s *Store) view(op string, fn func(*bbolt.Tx) error) error {
	err := s.db.View(fn)
	s.health.noteCorrupt(err)
	return opError(op, err)
}

// update runs a write transaction, fsynced before it returns. A store
// opened read-only refuses without trying. The outcome of a write that
// reached the disk is noted in the store's health: a full or read-only
// disk degrades it until a later write succeeds. errNoOp (nothing to
// write) passes through unwrapped.
func (s *Store) update(op string, fn func(*bbolt.Tx) error) error {
	if s.readOnly {
		return opError(op, s.readOnlyErr)
	}
	err := s.db.Update(fn)
	if errors.Is(err, errNoOp) {
		return err
	}
	s.health.noteCorrupt(err)
	err = opError(op, err)
	s.health.noteWrite(err)
	return err
}

// openRecord checks a stored value under its scope and key and returns its
// payload, or a *CorruptRecordError naming the record.
func openRecord(sc scope, record string, key, value []byte) ([]byte, error) {
	payload, err := sc.open(key, value)
	if err != nil {
		return nil, &waiter.CorruptRecordError{Record: record, Problem: err.Error()}
	}
	return payload, nil
}
