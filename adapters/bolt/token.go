package bolt

import (
	"errors"
	"fmt"
	"sort"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"
)

// GetToken returns the current version of a token. A soft-deleted token is
// returned only when includeDeleted is set; otherwise the error wraps
// ErrTokenDeleted (and so ErrTokenNotFound). A token whose record is
// damaged is never returned: the error is a *CorruptRecordError.
func (s *Store) GetToken(name string, includeDeleted bool) (waiter.Token, error) {
	if err := checkKey("token name", name); err != nil {
		return waiter.Token{}, err
	}
	var tok waiter.Token
	err := s.view(fmt.Sprintf("get token %q", name), func(tx *bbolt.Tx) error {
		t, found, err := loadToken(tx, name)
		switch {
		case err != nil:
			return err
		case !found:
			return fmt.Errorf("%w: %q", waiter.ErrTokenNotFound, name)
		case t.Deleted && !includeDeleted:
			return fmt.Errorf("%w: %q", waiter.ErrTokenDeleted, name)
		}
		tok = t
		return nil
	})
	return tok, err
}

// ListTokens returns the tokens the filter selects, sorted by name. Tokens
// whose records are damaged are left out (and reported in Health): one
// damaged record must not hide every other token.
func (s *Store) ListTokens(f waiter.TokenFilter) ([]waiter.Token, error) {
	var out []waiter.Token
	err := s.view("list tokens", func(tx *bbolt.Tx) error {
		names, err := s.tokenNames(tx, f.Owners)
		if err != nil {
			return err
		}
		for _, name := range names {
			t, found, err := loadToken(tx, name)
			if s.skipCorrupt(err) {
				continue
			}
			if err != nil {
				return err
			}
			if found && (f.IncludeDeleted || !t.Deleted) {
				out = append(out, t)
			}
		}
		return nil
	})
	return out, err
}

// skipCorrupt notes a corrupt record and reports whether err was one, for
// listings that go on without it.
func (s *Store) skipCorrupt(err error) bool {
	if !errors.Is(err, waiter.ErrCorruptRecord) {
		return false
	}
	s.health.noteCorrupt(err)
	return true
}

// Owners returns, sorted, every user who owns at least one token (live or
// soft-deleted): Waiter's GET /tokens/owners.
func (s *Store) Owners() ([]string, error) {
	var owners []string
	err := s.view("list owners", func(tx *bbolt.Tx) error {
		index := tx.Bucket(bucketTokenOwners)
		return index.ForEachBucket(func(k []byte) error {
			names, err := s.ownedTokens(index, string(k))
			if len(names) > 0 {
				owners = append(owners, string(k))
			}
			return err
		})
	})
	return owners, err
}

// TokenHistory returns the prior versions of a token, newest first, not
// including the current one. Waiter nests these as "previous" in the token
// data; the HTTP edge can rebuild that chain from this list.
func (s *Store) TokenHistory(name string) ([]waiter.Token, error) {
	if err := checkKey("token name", name); err != nil {
		return nil, err
	}
	var out []waiter.Token
	err := s.view(fmt.Sprintf("token history %q", name), func(tx *bbolt.Tx) error {
		if _, found, err := loadToken(tx, name); err != nil {
			return err
		} else if !found {
			return fmt.Errorf("%w: %q", waiter.ErrTokenNotFound, name)
		}
		var err error
		out, err = s.readHistory(tx, name)
		return err
	})
	return out, err
}

// loadToken reads and checks the current record of a token.
func loadToken(tx *bbolt.Tx, name string) (waiter.Token, bool, error) {
	raw := tx.Bucket(bucketTokens).Get([]byte(name))
	if raw == nil {
		return waiter.Token{}, false, nil
	}
	t, err := openToken(scopeTokens, nameToken(name), name, []byte(name), raw)
	return t, true, err
}

// openToken checks and decodes one stored token version.
func openToken(sc scope, record, name string, key, raw []byte) (waiter.Token, error) {
	payload, err := openRecord(sc, record, key, raw)
	if err != nil {
		return waiter.Token{}, err
	}
	return decodeToken(record, name, payload)
}

// tokenNames lists token names, from the owner index when owners are given
// and from the tokens bucket otherwise, sorted and without duplicates.
func (s *Store) tokenNames(tx *bbolt.Tx, owners []string) ([]string, error) {
	var names []string
	collect := func(k, _ []byte) error {
		names = append(names, string(k))
		return nil
	}
	if len(owners) == 0 {
		// bbolt keeps keys in byte order, which is sort.Strings order.
		err := tx.Bucket(bucketTokens).ForEach(collect)
		return names, err
	}
	index := tx.Bucket(bucketTokenOwners)
	seen := make(map[string]bool, len(owners))
	for _, owner := range owners {
		if owner == "" || seen[owner] {
			continue
		}
		seen[owner] = true
		owned, err := s.ownedTokens(index, owner)
		if err != nil {
			return nil, err
		}
		names = append(names, owned...)
	}
	// A token is in exactly one owner's index, so there are no duplicates.
	sort.Strings(names)
	return names, nil
}
