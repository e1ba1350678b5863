package tokencache

import (
	"errors"
	"sync"

	"github.com/waiter-go/waiter"
)

// tokenCache holds live tokens (and known-missing names) by name. A write
// bumps gen, and a read that started before the write does not cache what
// it read, so a stale token can never outlive the write that replaced it.
//
// It holds at most max entries (Host lookups of unknown names included);
// when full it starts over, which costs one store read per token in use
// and keeps memory bounded however many names clients make up.
type tokenCache struct {
	max int

	mu  sync.Mutex
	gen uint64
	m   map[string]cachedToken
}

type cachedToken struct {
	t       waiter.Token
	missing bool
}

// DefaultTokenCacheSize is the token cache's size when none is given.
const DefaultTokenCacheSize = 10000

// get returns the cached answer for name and, on a miss, the generation
// to pass to put.
func (c *tokenCache) get(name string) (t waiter.Token, gen uint64, hit bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[name]
	if !ok {
		return waiter.Token{}, c.gen, false, nil
	}
	if e.missing {
		return waiter.Token{}, c.gen, true, waiter.ErrTokenNotFound
	}
	return e.t, c.gen, true, nil
}

// put caches a read made at generation gen: found tokens and not-found
// answers; other errors are not cached.
func (c *tokenCache) put(name string, t waiter.Token, err error, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // a write happened since the read began
	}
	if len(c.m) >= c.max {
		c.m = map[string]cachedToken{}
	}
	switch {
	case err == nil:
		c.m[name] = cachedToken{t: t}
	case errors.Is(err, waiter.ErrTokenNotFound):
		c.m[name] = cachedToken{missing: true}
	}
}

// forget drops name after a write to it.
func (c *tokenCache) forget(name string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, name)
}

// len is the number of entries held.
func (c *tokenCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
