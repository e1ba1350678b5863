package storeport

import (
	"errors"
	"fmt"
	"time"

	"github.com/waiter-go/waiter/adapters/bolt"
	waiterhttp "github.com/waiter-go/waiter/adapters/http"
)

// Store is a *bolt.Store seen through waiterhttp.Store, with a cache of
// live tokens. The cache is sound because this router is the store
// file's only writer (bbolt locks the file) and every token write goes
// through PutToken or DeleteToken here.
type Store struct {
	DB     *bolt.Store
	tokens *tokenCache
}

// New returns the store port over db with a token cache of at most
// tokenCacheSize entries (DefaultTokenCacheSize when not positive).
func New(db *bolt.Store, tokenCacheSize int) Store {
	if tokenCacheSize <= 0 {
		tokenCacheSize = DefaultTokenCacheSize
	}
	return Store{DB: db, tokens: &tokenCache{max: tokenCacheSize, m: map[string]cachedToken{}}}
}

// CachedTokens is how many entries the token cache holds (for /metrics).
func (s Store) CachedTokens() int {
	if s.tokens == nil {
		return 0
	}
	return s.tokens.len()
}

var (
	_ waiterhttp.Store          = Store{}
	_ waiterhttp.HealthReporter = Store{}
)

// StoreHealth reports the bbolt store's condition for /status.
func (s Store) StoreHealth() waiterhttp.StoreHealth {
	h := s.DB.Health()
	return waiterhttp.StoreHealth{Status: h.Status, CorruptRecords: h.CorruptRecords, ReadOnly: h.ReadOnly, WriteFailure: h.WriteFailure}
}

// errorMap pairs each bolt sentinel with the HTTP edge's.
var errorMap = []struct{ from, to error }{
	{bolt.ErrTokenNotFound, waiterhttp.ErrTokenNotFound},
	{bolt.ErrPreconditionFailed, waiterhttp.ErrPreconditionFailed},
	{bolt.ErrIfMatchRequired, waiterhttp.ErrIfMatchRequired},
	{bolt.ErrInvalidTokenData, waiterhttp.ErrInvalidTokenData},
	{bolt.ErrServiceNotFound, waiterhttp.ErrServiceNotFound},
	{bolt.ErrEmptyKey, waiterhttp.ErrInvalidTokenData},
	{bolt.ErrStoreFull, waiterhttp.ErrStoreFull},
	{bolt.ErrStoreReadOnly, waiterhttp.ErrStoreReadOnly},
}

// translate wraps err with the matching waiterhttp sentinel. A damaged
// record becomes the edge's ErrCorruptRecord with the record and the
// damage in its text, which the edge shows to the client: the bolt error
// adds nothing but the package prefix, and the store has logged it.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var corrupt *bolt.CorruptRecordError
	if errors.As(err, &corrupt) {
		return fmt.Errorf("%w: %s", waiterhttp.ErrCorruptRecord, corrupt.Detail())
	}
	for _, m := range errorMap {
		if errors.Is(err, m.from) {
			return fmt.Errorf("%w: %w", m.to, err)
		}
	}
	return err
}

// The methods below implement waiterhttp.Store one for one on the bbolt
// store; see adapters/bolt for the semantics.

func token(t bolt.Token) waiterhttp.Token {
	return waiterhttp.Token{Name: t.Name, Data: t.Data, ETag: t.ETag, Deleted: t.Deleted}
}

// GetToken serves live tokens from the cache when it can: the proxy looks
// a token up on every request, and reading and decoding it from bbolt is
// a tenth of a request's cost. Callers must not modify the token's data.
func (s Store) GetToken(name string, includeDeleted bool) (waiterhttp.Token, error) {
	var gen uint64
	if !includeDeleted && s.tokens != nil {
		var hit bool
		var t waiterhttp.Token
		var err error
		if t, gen, hit, err = s.tokens.get(name); hit {
			return t, err
		}
	}
	t, err := s.DB.GetToken(name, includeDeleted)
	out, terr := token(t), translate(err)
	if !includeDeleted && s.tokens != nil {
		s.tokens.put(name, out, terr, gen)
	}
	return out, terr
}

func (s Store) PutToken(name string, data map[string]any, ifMatch, user string, now time.Time) (waiterhttp.Token, waiterhttp.TokenResult, error) {
	defer s.tokens.forget(name)
	t, res, err := s.DB.PutToken(name, data, ifMatch, user, now)
	return token(t), waiterhttp.TokenResult(res), translate(err)
}

func (s Store) DeleteToken(name string, hard bool, ifMatch, user string, now time.Time) (waiterhttp.Token, error) {
	defer s.tokens.forget(name)
	t, err := s.DB.DeleteToken(name, hard, ifMatch, user, now)
	return token(t), translate(err)
}

func (s Store) ListTokens(owners []string, includeDeleted bool) ([]waiterhttp.Token, error) {
	list, err := s.DB.ListTokens(bolt.TokenFilter{Owners: owners, IncludeDeleted: includeDeleted})
	out := make([]waiterhttp.Token, 0, len(list))
	for _, t := range list {
		out = append(out, token(t))
	}
	return out, translate(err)
}

func (s Store) TokenHistory(name string) ([]waiterhttp.Token, error) {
	list, err := s.DB.TokenHistory(name)
	out := make([]waiterhttp.Token, 0, len(list))
	for _, t := range list {
		out = append(out, token(t))
	}
	return out, translate(err)
}

func (s Store) PutServiceDescription(id string, core map[string]any) error {
	_, err := s.DB.PutServiceDescription(id, core)
	return translate(err)
}

func (s Store) GetServiceDescription(id string) (map[string]any, error) {
	d, err := s.DB.GetServiceDescription(id)
	return d, translate(err)
}

func (s Store) GetOverride(id string) (waiterhttp.Change, error) {
	o, err := s.DB.GetOverride(id)
	return waiterhttp.Change{Overrides: o.Overrides, User: o.User, Time: o.Time}, translate(err)
}

func (s Store) PutOverride(id string, overrides map[string]any, user string, now time.Time) error {
	return translate(s.DB.PutOverride(id, overrides, user, now))
}

func (s Store) DeleteOverride(id string) error { return translate(s.DB.DeleteOverride(id)) }

func (s Store) GetSuspended(id string) (waiterhttp.Change, error) {
	sus, err := s.DB.GetSuspended(id)
	return waiterhttp.Change{Suspended: sus.Suspended, User: sus.User, Time: sus.Time}, translate(err)
}

func (s Store) SetSuspended(id string, suspended bool, user string, now time.Time) error {
	return translate(s.DB.SetSuspended(id, suspended, user, now))
}
