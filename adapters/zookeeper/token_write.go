package zookeeper

import (
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/go-zookeeper/zk"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/tokenrules"
)

// errRetry means a conditional write lost a race with another writer of
// the same token: read again and decide again.
var errRetry = errors.New("zookeeper: the record changed meanwhile")

// current reads a token's znode straight from ZooKeeper (never the
// cache: a write decides on the version it is conditional on).
func (s *Store) current(name string) (v *tokenValue, version int32, found bool, err error) {
	data, stat, err := s.c.conn.Get(s.c.path(dirTokens, name))
	if errors.Is(err, zk.ErrNoNode) {
		return nil, -1, false, nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	v, err = decodeToken(name, data)
	if err != nil {
		err = &waiter.CorruptRecordError{Record: recordName(name), Problem: "does not decode: " + err.Error()}
		s.noteCorrupt(err)
		return nil, stat.Version, true, err
	}
	return v, stat.Version, true, nil
}

// commit writes a token's znode: created when it was missing, else set
// at the version read, so of two routers writing after reading the same
// version exactly one succeeds; the other gets errRetry.
func (s *Store) commit(name string, payload []byte, found bool, version int32) error {
	path := s.c.path(dirTokens, name)
	var err error
	if found {
		_, err = s.c.conn.Set(path, payload, version)
	} else {
		_, err = s.c.conn.Create(path, payload, 0, zk.WorldACL(zk.PermAll))
	}
	if errors.Is(err, zk.ErrBadVersion) || errors.Is(err, zk.ErrNodeExists) || errors.Is(err, zk.ErrNoNode) {
		return errRetry
	}
	return err
}

// retry runs one read-decide-write attempt until it does not lose a race.
func (s *Store) retry(op, name string, attempt func() error) error {
	return s.write(op, s.c.path(dirTokens, name), func() error {
		for range maxWriteAttempts {
			if err := attempt(); !errors.Is(err, errRetry) {
				return err
			}
		}
		return fmt.Errorf("zookeeper: %s: lost the race with other writers %d times", op, maxWriteAttempts)
	})
}

// encodeNode builds a token's znode from its new current data and the
// prior versions to keep (newest first), dropping the oldest ones that
// would not fit in a ZooKeeper record. It returns the node and the new
// version as a reader will see it.
func (s *Store) encodeNode(name string, data map[string]any, order map[string][]string, history []tokenRecord) ([]byte, waiter.Token, error) {
	canon, err := tokenrules.CanonicalJSON(data)
	if err != nil {
		return nil, waiter.Token{}, fmt.Errorf("%w: token %q: %w", waiter.ErrInvalidTokenData, name, err)
	}
	if len(canon) > MaxTokenBytes {
		return nil, waiter.Token{}, fmt.Errorf("%w: token %q is %d bytes, more than the %d the ZooKeeper store keeps",
			waiter.ErrInvalidTokenData, name, len(canon), MaxTokenBytes)
	}
	rec := tokenRecord{Data: canon, ETag: tokenrules.OrderedETag(canon, order), Order: order}
	if len(history) > s.history {
		history = history[:s.history]
	}
	for {
		payload, err := tokenrules.CanonicalJSON(tokenNode{tokenRecord: rec, History: history})
		if err != nil {
			return nil, waiter.Token{}, err
		}
		if len(payload) <= MaxRecordBytes || len(history) == 0 {
			if err := checkSize(recordName(name), payload); err != nil {
				return nil, waiter.Token{}, err
			}
			tok, err := toToken(name, rec)
			return payload, tok, err
		}
		history = history[:len(history)-1]
	}
}

// PutToken creates or updates a token (waiter.TokenStore), with the same
// rules as adapters/bolt (internal/tokenrules). The If-Match check, the
// defaults and the no-op test are made on the version read from
// ZooKeeper, and the write is conditional on that version.
func (s *Store) PutToken(name string, data map[string]any, ifMatch, user string, now time.Time) (waiter.Token, waiter.TokenResult, error) {
	return s.PutTokenInOrder(name, data, nil, ifMatch, user, now)
}

// PutTokenInOrder is PutToken that also keeps the order of the env and
// metadata keys (waiter.OrderedTokenPutter).
func (s *Store) PutTokenInOrder(name string, data map[string]any, order map[string][]string, ifMatch, user string, now time.Time) (waiter.Token, waiter.TokenResult, error) {
	if err := checkKey("token name", name); err != nil {
		return waiter.Token{}, "", err
	}
	if err := tokenrules.CheckData(name, data); err != nil {
		return waiter.Token{}, "", err
	}
	var out waiter.Token
	var res waiter.TokenResult
	err := s.retry(fmt.Sprintf("put token %q", name), name, func() error {
		cur, version, found, err := s.current(name)
		if err != nil {
			return err
		}
		var curTok waiter.Token
		if found {
			curTok = cur.cur
		}
		if err := tokenrules.CheckIfMatch(name, curTok, found, ifMatch); err != nil {
			return err
		}
		live := found && !curTok.Deleted
		next := tokenrules.WithDefaults(data, curTok, live, user)
		if _, err := tokenrules.CheckOwner(name, next, user); err != nil {
			return err
		}
		if live {
			same, err := tokenrules.SameEditable(curTok.Data, next)
			if err != nil {
				return err
			}
			if same && tokenrules.SameOrder(curTok.KeyOrder, order) {
				out, res = curTok, waiter.TokenNoOp
				return nil
			}
		}
		next[waiter.KeyLastUpdateTime] = now.UnixMilli()
		next[waiter.KeyLastUpdateUser] = user
		var history []tokenRecord
		res = waiter.TokenCreated
		if live {
			// Writing over a soft-deleted token starts a new history, as
			// in Waiter and adapters/bolt.
			res, history = waiter.TokenUpdated, cur.raw
		}
		payload, tok, err := s.encodeNode(name, next, order, history)
		if err != nil {
			return err
		}
		out = tok
		return s.commit(name, payload, found, version)
	})
	if err != nil {
		return waiter.Token{}, "", err
	}
	return out, res, nil
}

// DeleteToken soft- or hard-deletes a token (waiter.TokenStore).
func (s *Store) DeleteToken(name string, hard bool, ifMatch, user string, now time.Time) (waiter.Token, error) {
	if err := checkKey("token name", name); err != nil {
		return waiter.Token{}, err
	}
	var out waiter.Token
	err := s.retry(fmt.Sprintf("delete token %q", name), name, func() error {
		cur, version, found, err := s.current(name)
		switch {
		case err != nil:
			return err
		case !found:
			return fmt.Errorf("%w: %q", waiter.ErrTokenNotFound, name)
		case !hard && cur.cur.Deleted:
			return fmt.Errorf("%w: %q", waiter.ErrTokenDeleted, name)
		case hard && !cur.cur.Deleted && ifMatch == "":
			return fmt.Errorf("%w: token %q", waiter.ErrIfMatchRequired, name)
		}
		if err := tokenrules.CheckIfMatch(name, cur.cur, found, ifMatch); err != nil {
			return err
		}
		if hard {
			out = cur.cur
			err := s.c.conn.Delete(s.c.path(dirTokens, name), version)
			if errors.Is(err, zk.ErrBadVersion) || errors.Is(err, zk.ErrNoNode) {
				return errRetry
			}
			return err
		}
		next := maps.Clone(cur.cur.Data)
		next[waiter.KeyDeleted] = true
		next[waiter.KeyLastUpdateTime] = now.UnixMilli()
		next[waiter.KeyLastUpdateUser] = user
		payload, tok, err := s.encodeNode(name, next, cur.cur.KeyOrder, cur.raw)
		if err != nil {
			return err
		}
		out = tok
		return s.commit(name, payload, true, version)
	})
	if err != nil {
		return waiter.Token{}, err
	}
	return out, nil
}

// ReplaceDamagedToken repairs a token whose znode does not decode
// (waiter.TokenStore): nil data removes it, other data becomes its new
// current version. The write is conditional on the damaged version, so a
// token repaired meanwhile by another router is not written over.
func (s *Store) ReplaceDamagedToken(name string, data map[string]any, user string, now time.Time) (waiter.Token, waiter.TokenResult, error) {
	if err := checkKey("token name", name); err != nil {
		return waiter.Token{}, "", err
	}
	if data != nil {
		if err := tokenrules.CheckData(name, data); err != nil {
			return waiter.Token{}, "", err
		}
	}
	var out waiter.Token
	res := waiter.TokenDeleted
	err := s.retry(fmt.Sprintf("replace damaged token %q", name), name, func() error {
		_, version, found, err := s.current(name)
		switch {
		case !found:
			return fmt.Errorf("%w: %q", waiter.ErrTokenNotFound, name)
		case err == nil:
			return fmt.Errorf("%w: token %q is not damaged; write it with If-Match as usual", waiter.ErrPreconditionFailed, name)
		case !errors.Is(err, waiter.ErrCorruptRecord):
			return err
		}
		if data == nil {
			err := s.c.conn.Delete(s.c.path(dirTokens, name), version)
			if errors.Is(err, zk.ErrBadVersion) || errors.Is(err, zk.ErrNoNode) {
				return errRetry
			}
			return err
		}
		next := tokenrules.WithDefaults(data, waiter.Token{}, false, user)
		if _, err := tokenrules.CheckOwner(name, next, user); err != nil {
			return err
		}
		next[waiter.KeyLastUpdateTime] = now.UnixMilli()
		next[waiter.KeyLastUpdateUser] = user
		payload, tok, err := s.encodeNode(name, next, nil, nil)
		if err != nil {
			return err
		}
		out, res = tok, waiter.TokenUpdated
		return s.commit(name, payload, true, version)
	})
	if err != nil {
		return waiter.Token{}, "", err
	}
	s.rewritten(recordName(name))
	return out, res, nil
}

// isCorrupt reports whether err is a damaged record (listings skip it).
func isCorrupt(err error) bool { return errors.Is(err, waiter.ErrCorruptRecord) }
