package bolt

import (
	"fmt"
	"sort"

	"github.com/waiter-go/waiter"
	bbolt "go.etcd.io/bbolt"
)

// storeOwnedKeys may not appear in data given to PutToken: the store sets
// them (or, for "previous", keeps history in its own bucket), and accepting
// them would let a caller forge a token's audit trail.
var storeOwnedKeys = []string{waiter.KeyDeleted, waiter.KeyLastUpdateTime, waiter.KeyLastUpdateUser, waiter.KeyPrevious}

// systemKeys are left out when deciding whether an update changes anything
// (Waiter compares only user-editable keys), so re-posting a token read
// with its metadata is still a no-op.
var systemKeys = map[string]bool{
	waiter.KeyCluster: true, waiter.KeyDeleted: true, waiter.KeyLastUpdateTime: true,
	waiter.KeyLastUpdateUser: true, waiter.KeyPrevious: true, waiter.KeyRoot: true,
}

// GetToken returns the current version of a token. A soft-deleted token is
// returned only when includeDeleted is set; otherwise the error wraps
// ErrTokenDeleted (and so ErrTokenNotFound).
func (s *Store) GetToken(name string, includeDeleted bool) (waiter.Token, error) {
	if err := checkKey("token name", name); err != nil {
		return waiter.Token{}, err
	}
	var tok waiter.Token
	err := s.db.View(func(tx *bbolt.Tx) error {
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
	return tok, opError(fmt.Sprintf("get token %q", name), err)
}

// ListTokens returns the tokens the filter selects, sorted by name.
func (s *Store) ListTokens(f waiter.TokenFilter) ([]waiter.Token, error) {
	var out []waiter.Token
	err := s.db.View(func(tx *bbolt.Tx) error {
		names, err := tokenNames(tx, f.Owners)
		if err != nil {
			return err
		}
		for _, name := range names {
			t, found, err := loadToken(tx, name)
			if err != nil {
				return err
			}
			if found && (f.IncludeDeleted || !t.Deleted) {
				out = append(out, t)
			}
		}
		return nil
	})
	return out, opError("list tokens", err)
}

// Owners returns, sorted, every user who owns at least one token (live or
// soft-deleted): Waiter's GET /tokens/owners.
func (s *Store) Owners() ([]string, error) {
	var owners []string
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketTokenOwners).ForEachBucket(func(k []byte) error {
			owners = append(owners, string(k))
			return nil
		})
	})
	return owners, opError("list owners", err)
}

// TokenHistory returns the prior versions of a token, newest first, not
// including the current one. Waiter nests these as "previous" in the token
// data; the HTTP edge can rebuild that chain from this list.
func (s *Store) TokenHistory(name string) ([]waiter.Token, error) {
	if err := checkKey("token name", name); err != nil {
		return nil, err
	}
	var out []waiter.Token
	err := s.db.View(func(tx *bbolt.Tx) error {
		if _, found, err := loadToken(tx, name); err != nil {
			return err
		} else if !found {
			return fmt.Errorf("%w: %q", waiter.ErrTokenNotFound, name)
		}
		var err error
		out, err = readHistory(tx, name)
		return err
	})
	return out, opError(fmt.Sprintf("token history %q", name), err)
}

// loadToken reads the current record of a token.
func loadToken(tx *bbolt.Tx, name string) (waiter.Token, bool, error) {
	raw := tx.Bucket(bucketTokens).Get([]byte(name))
	if raw == nil {
		return waiter.Token{}, false, nil
	}
	t, err := decodeToken(name, raw)
	return t, true, err
}

// tokenNames lists token names, from the owner index when owners are given
// and from the tokens bucket otherwise, sorted and without duplicates.
func tokenNames(tx *bbolt.Tx, owners []string) ([]string, error) {
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
		if b := index.Bucket([]byte(owner)); b != nil {
			if err := b.ForEach(collect); err != nil {
				return nil, err
			}
		}
	}
	// A token is in exactly one owner's index, so there are no duplicates.
	sort.Strings(names)
	return names, nil
}
