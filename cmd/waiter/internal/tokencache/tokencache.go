package tokencache

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/waiter-go/waiter"
)

// tokenCache holds live tokens (and known-missing names) by name. A write
// bumps gen, and a read that started before the write does not cache what
// it read, so a stale token can never outlive the write that replaced it.
//
// Reads take no lock: every proxied request by token reads the cache,
// from each of the router's event loops at once, and a mutex's word
// written by all of them moves between their cores on every request.
// sync.Map's Load is atomic loads only; put and forget, which run on a
// miss or a write, hold mu.
//
// It holds at most max entries (Host lookups of unknown names included);
// when full it starts over, which costs one store read per token in use
// and keeps memory bounded however many names clients make up.
type tokenCache struct {
	max int
	gen atomic.Uint64 // bumped (under mu) before a written name is dropped
	m   sync.Map      // name -> *cachedToken

	mu sync.Mutex
	n  int // entries in m (mu)
}

type cachedToken struct {
	t       waiter.Token
	missing bool
}

// DefaultTokenCacheSize is the token cache's size when none is given.
const DefaultTokenCacheSize = 10000

// get returns the cached answer for name and, on a miss, the generation
// to pass to put. gen is read before the lookup: a write that lands in
// between has bumped it, and put then drops what the miss reads.
func (c *tokenCache) get(name string) (t waiter.Token, gen uint64, hit bool, err error) {
	gen = c.gen.Load()
	v, ok := c.m.Load(name)
	if !ok {
		return waiter.Token{}, gen, false, nil
	}
	e := v.(*cachedToken)
	if e.missing {
		return waiter.Token{}, gen, true, waiter.ErrTokenNotFound
	}
	return e.t, gen, true, nil
}

// put caches a read made at generation gen: found tokens and not-found
// answers; other errors are not cached.
func (c *tokenCache) put(name string, t waiter.Token, err error, gen uint64) {
	var e *cachedToken
	switch {
	case err == nil:
		e = &cachedToken{t: t}
	case errors.Is(err, waiter.ErrTokenNotFound):
		e = &cachedToken{missing: true}
	default:
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen.Load() {
		return // a write happened since the read began
	}
	if c.n >= c.max {
		c.m.Clear()
		c.n = 0
	}
	// The name is often cut from a request's head, which the event
	// loops cut from a shared chunk (internal/strarena): a kept copy
	// keeps only itself.
	if _, had := c.m.Swap(strings.Clone(name), e); !had {
		c.n++
	}
}

// forget drops name after a write to it.
func (c *tokenCache) forget(name string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen.Add(1)
	if _, had := c.m.LoadAndDelete(name); had {
		c.n--
	}
}

// len is the number of entries held.
func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
