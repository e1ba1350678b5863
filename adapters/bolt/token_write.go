package bolt

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/tokenrules"
	bbolt "go.etcd.io/bbolt"
)

// errNoOp rolls back a write transaction that found nothing to change, so
// a no-op commits nothing and costs no fsync. It never leaves the package.
var errNoOp = errors.New("bolt: no change")

// PutToken creates or updates a token and returns the stored version.
//
// data holds service parameters and user metadata; it is not modified. The
// store adds last-update-time (now, epoch ms) and last-update-user (user),
// defaults owner to the current owner of a live token or else to user, and
// keeps root from a live token when data has none. data may not contain
// deleted, last-update-time, last-update-user or previous.
//
// A non-empty ifMatch must equal the current ETag ("" when the token does
// not exist), else the error wraps ErrPreconditionFailed. The check runs
// before no-op detection, so a stale If-Match is always reported.
//
// An update of a live token whose non-system keys (all but cluster,
// deleted, last-update-*, previous, root) equal the given ones writes
// nothing and returns the current version with TokenNoOp. Otherwise the
// current version moves to history (at most the configured length) and the
// result is TokenUpdated; writing over a missing or soft-deleted token is
// TokenCreated and, as in Waiter, starts with an empty history.
func (s *Store) PutToken(name string, data map[string]any, ifMatch, user string, now time.Time) (waiter.Token, waiter.TokenResult, error) {
	return s.PutTokenInOrder(name, data, nil, ifMatch, user, now)
}

// PutTokenInOrder is PutToken that also keeps the order of the env and
// metadata keys (waiter.OrderedTokenPutter).
func (s *Store) PutTokenInOrder(name string, data map[string]any, order map[string][]string, ifMatch, user string, now time.Time) (waiter.Token, waiter.TokenResult, error) {
	if err := checkKey("token name", name); err != nil {
		return waiter.Token{}, "", err
	}
	if err := checkTokenData(name, data); err != nil {
		return waiter.Token{}, "", err
	}
	var out waiter.Token
	var res waiter.TokenResult
	err := s.update(fmt.Sprintf("put token %q", name), func(tx *bbolt.Tx) error {
		cur, found, err := loadToken(tx, name)
		if err != nil {
			return err
		}
		if err := checkIfMatch(name, cur, found, ifMatch); err != nil {
			return err
		}
		live := found && !cur.Deleted
		next := withDefaults(data, cur, live, user)
		owner, ok := next[waiter.KeyOwner].(string)
		if !ok || owner == "" {
			return fmt.Errorf("%w: token %q: owner must be a non-empty string (got %v, user %q)",
				waiter.ErrInvalidTokenData, name, next[waiter.KeyOwner], user)
		}
		if live {
			same, err := sameEditable(cur.Data, next)
			if err != nil {
				return err
			}
			if same && sameOrder(cur.KeyOrder, order) {
				out, res = cur, waiter.TokenNoOp
				return errNoOp
			}
		}
		next[waiter.KeyLastUpdateTime] = now.UnixMilli()
		next[waiter.KeyLastUpdateUser] = user

		if live {
			res = waiter.TokenUpdated
			err = pushHistory(tx, name, currentPayload(tx, name), s.historyLength)
		} else {
			res = waiter.TokenCreated
			err = dropHistory(tx, name)
		}
		if err != nil {
			return err
		}
		if found && cur.Owner() != owner {
			if err := unindexOwner(tx, cur.Owner(), name); err != nil {
				return err
			}
		}
		if err := indexOwner(tx, owner, name); err != nil {
			return err
		}
		out, err = putToken(tx, name, next, order)
		return err
	})
	if errors.Is(err, errNoOp) {
		return out, waiter.TokenNoOp, nil
	}
	if err != nil {
		return waiter.Token{}, "", err
	}
	s.recheckToken(name)
	return out, res, nil
}

// DeleteToken deletes a token and returns the version it wrote (soft) or
// removed (hard).
//
// A soft delete keeps the data with deleted=true and new last-update-*
// fields, moves the previous version to history, and gives the token a new
// ETag; soft-deleting a soft-deleted token wraps ErrTokenDeleted. A hard
// delete removes the token, its history and its owner-index entry; for a
// live token it needs an ifMatch (ErrIfMatchRequired), as in Waiter. A
// non-empty ifMatch is checked against the current ETag in both cases.
func (s *Store) DeleteToken(name string, hard bool, ifMatch, user string, now time.Time) (waiter.Token, error) {
	if err := checkKey("token name", name); err != nil {
		return waiter.Token{}, err
	}
	var out waiter.Token
	err := s.update(fmt.Sprintf("delete token %q", name), func(tx *bbolt.Tx) error {
		cur, found, err := loadToken(tx, name)
		switch {
		case err != nil:
			return err
		case !found:
			return fmt.Errorf("%w: %q", waiter.ErrTokenNotFound, name)
		case !hard && cur.Deleted:
			return fmt.Errorf("%w: %q", waiter.ErrTokenDeleted, name)
		case hard && !cur.Deleted && ifMatch == "":
			return fmt.Errorf("%w: token %q", waiter.ErrIfMatchRequired, name)
		}
		if err := checkIfMatch(name, cur, found, ifMatch); err != nil {
			return err
		}
		if hard {
			out = cur
			if err := tx.Bucket(bucketTokens).Delete([]byte(name)); err != nil {
				return err
			}
			if err := dropHistory(tx, name); err != nil {
				return err
			}
			return unindexOwner(tx, cur.Owner(), name)
		}
		if err := pushHistory(tx, name, currentPayload(tx, name), s.historyLength); err != nil {
			return err
		}
		next := maps.Clone(cur.Data)
		next[waiter.KeyDeleted] = true
		next[waiter.KeyLastUpdateTime] = now.UnixMilli()
		next[waiter.KeyLastUpdateUser] = user
		out, err = putToken(tx, name, next, cur.KeyOrder)
		return err
	})
	if err != nil {
		return waiter.Token{}, err
	}
	s.recheckToken(name)
	return out, nil
}

// The rules of token writes are shared with every token store
// (internal/tokenrules).
var (
	checkTokenData = tokenrules.CheckData
	checkIfMatch   = tokenrules.CheckIfMatch
	withDefaults   = tokenrules.WithDefaults
	sameEditable   = tokenrules.SameEditable
	sameOrder      = tokenrules.SameOrder
)

// currentPayload returns a copy of the payload of a token's current
// record, which the caller has already read and checked in this
// transaction. The copy matters: the record is about to be overwritten,
// and bbolt wants values handed to Put to stay valid until commit.
func currentPayload(tx *bbolt.Tx, name string) []byte {
	return bytes.Clone(tx.Bucket(bucketTokens).Get([]byte(name))[recordHeaderSize:])
}

// putToken encodes, seals and stores the current version and returns it
// as a reader would see it (numbers as float64), so callers get the same
// value from PutToken as from a later GetToken.
func putToken(tx *bbolt.Tx, name string, data map[string]any, order map[string][]string) (waiter.Token, error) {
	payload, _, err := encodeToken(data, order)
	if err != nil {
		return waiter.Token{}, err
	}
	if err := tx.Bucket(bucketTokens).Put([]byte(name), scopeTokens.seal([]byte(name), payload)); err != nil {
		return waiter.Token{}, err
	}
	return decodeToken(nameToken(name), name, payload)
}
