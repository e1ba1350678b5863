package bolt

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"
)

// ReplaceDamagedToken repairs a token whose current record fails its
// checksum or does not decode (waiter.TokenStore): nil data hard-deletes
// it, other data becomes its new current version. The damage is checked
// again inside the write transaction, so a token repaired meanwhile by
// another call, or never damaged, is not written over blind: that is
// ErrPreconditionFailed. Its owner cannot be read, so every owner-index
// entry of the name is dropped (the index is small: one entry per token).
func (s *Store) ReplaceDamagedToken(name string, data map[string]any, user string, now time.Time) (waiter.Token, waiter.TokenResult, error) {
	if err := checkKey("token name", name); err != nil {
		return waiter.Token{}, "", err
	}
	if data != nil {
		if err := checkTokenData(name, data); err != nil {
			return waiter.Token{}, "", err
		}
	}
	var out waiter.Token
	res := waiter.TokenDeleted
	err := s.update(fmt.Sprintf("replace damaged token %q", name), func(tx *bbolt.Tx) error {
		_, found, err := loadToken(tx, name)
		switch {
		case !found:
			return fmt.Errorf("%w: %q", waiter.ErrTokenNotFound, name)
		case err == nil:
			return fmt.Errorf("%w: token %q is not damaged; write it with If-Match as usual", waiter.ErrPreconditionFailed, name)
		case !errors.Is(err, waiter.ErrCorruptRecord):
			return err
		}
		if err := unindexEveryOwner(tx, name); err != nil {
			return err
		}
		if data == nil {
			if err := tx.Bucket(bucketTokens).Delete([]byte(name)); err != nil {
				return err
			}
			return dropHistory(tx, name)
		}
		next := withDefaults(data, waiter.Token{}, false, user)
		owner, ok := next[waiter.KeyOwner].(string)
		if !ok || owner == "" {
			return fmt.Errorf("%w: token %q: owner must be a non-empty string (got %v, user %q)",
				waiter.ErrInvalidTokenData, name, next[waiter.KeyOwner], user)
		}
		next[waiter.KeyLastUpdateTime] = now.UnixMilli()
		next[waiter.KeyLastUpdateUser] = user
		if err := indexOwner(tx, owner, name); err != nil {
			return err
		}
		res = waiter.TokenUpdated
		out, err = putToken(tx, name, next, nil)
		return err
	})
	if err != nil {
		return waiter.Token{}, "", err
	}
	s.health.rewritten(nameToken(name))
	s.recheckToken(name)
	return out, res, nil
}

// unindexEveryOwner drops name from every owner's index.
func unindexEveryOwner(tx *bbolt.Tx, name string) error {
	var owners [][]byte
	err := tx.Bucket(bucketTokenOwners).ForEach(func(owner, v []byte) error {
		if v == nil {
			if b := tx.Bucket(bucketTokenOwners).Bucket(owner); b != nil && b.Get([]byte(name)) != nil {
				owners = append(owners, bytes.Clone(owner))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, owner := range owners {
		if err := unindexOwner(tx, string(owner), name); err != nil {
			return err
		}
	}
	return nil
}
