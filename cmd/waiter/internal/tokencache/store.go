package tokencache

import (
	"time"

	"github.com/waiter-go/waiter"
)

// Store is a waiter.Store with live tokens cached.
type Store struct {
	waiter.Store
	tokens *tokenCache
}

// New returns store with a token cache of at most size entries in front
// of it (DefaultTokenCacheSize when size is not positive).
func New(store waiter.Store, size int) *Store {
	if size <= 0 {
		size = DefaultTokenCacheSize
	}
	return &Store{Store: store, tokens: &tokenCache{max: size}}
}

var (
	_ waiter.Store           = (*Store)(nil)
	_ waiter.HealthReporter  = (*Store)(nil)
	_ waiter.TokenCacheSizer = (*Store)(nil)
)

// CachedTokens is how many entries the token cache holds (for /metrics).
func (s *Store) CachedTokens() int { return s.tokens.len() }

// GetToken serves live tokens from the cache when it can. Soft-deleted
// ones (includeDeleted) always come from the store: only the token API
// asks for them. Callers must not modify the token's data, which the
// cache shares among them.
func (s *Store) GetToken(name string, includeDeleted bool) (waiter.Token, error) {
	if includeDeleted {
		return s.Store.GetToken(name, true)
	}
	t, gen, hit, err := s.tokens.get(name)
	if hit {
		return t, err
	}
	t, err = s.Store.GetToken(name, false)
	s.tokens.put(name, t, err, gen)
	return t, err
}

// PutToken writes through to the store and forgets the cached version.
func (s *Store) PutToken(name string, data map[string]any, ifMatch, user string, now time.Time) (waiter.Token, waiter.TokenResult, error) {
	defer s.tokens.forget(name)
	return s.Store.PutToken(name, data, ifMatch, user, now)
}

var _ waiter.OrderedTokenPutter = (*Store)(nil)

// PutTokenInOrder writes through to the store, keeping the key order when
// the store can (waiter.OrderedTokenPutter), and forgets the cached version.
func (s *Store) PutTokenInOrder(name string, data map[string]any, order map[string][]string, ifMatch, user string, now time.Time) (waiter.Token, waiter.TokenResult, error) {
	defer s.tokens.forget(name)
	if o, ok := s.Store.(waiter.OrderedTokenPutter); ok {
		return o.PutTokenInOrder(name, data, order, ifMatch, user, now)
	}
	return s.Store.PutToken(name, data, ifMatch, user, now)
}

// DeleteToken writes through to the store and forgets the cached version.
func (s *Store) DeleteToken(name string, hard bool, ifMatch, user string, now time.Time) (waiter.Token, error) {
	defer s.tokens.forget(name)
	return s.Store.DeleteToken(name, hard, ifMatch, user, now)
}

// ReplaceDamagedToken writes through to the store and forgets the cached
// version (a damaged token is never cached, but a read racing the repair
// must not cache what it saw before it).
func (s *Store) ReplaceDamagedToken(name string, data map[string]any, user string, now time.Time) (waiter.Token, waiter.TokenResult, error) {
	defer s.tokens.forget(name)
	return s.Store.ReplaceDamagedToken(name, data, user, now)
}

// StoreHealth passes on the wrapped store's report of its condition
// (waiter.HealthReporter), so /status sees through the cache; a store
// that keeps no such report is reported ok.
func (s *Store) StoreHealth() waiter.StoreHealth {
	if h, ok := s.Store.(waiter.HealthReporter); ok {
		return h.StoreHealth()
	}
	return waiter.StoreHealth{Status: waiter.HealthOK}
}
