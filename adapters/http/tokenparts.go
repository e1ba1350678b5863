package waiterhttp

import (
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/boundedmap"
)

// tokenPartsCache remembers each token's data split into service
// parameters and metadata (engine.SplitTokenData normalizes every value,
// a map walk and several allocations) by name and ETag, which is the hash
// of the data: a token edit changes it, so a stale split is never used.
// Every proxied request naming a token splits it; the split maps are
// only read, so sharing them is safe.
//
// It holds at most Max tokens; when full it starts over, so memory stays
// bounded whatever names requests bring.
type tokenPartsCache struct {
	boundedmap.Map[string, tokenPartsEntry]
}

type tokenPartsEntry struct {
	etag          string
	service, meta engine.Params
}

// split is splitToken through the cache. A token without an ETag (none
// from the stores, but tests build some) is split every time.
func (c *tokenPartsCache) split(t waiter.Token) tokenParts {
	if t.ETag == "" {
		return splitToken(t)
	}
	if e, ok := c.Get(t.Name); ok && e.etag == t.ETag {
		// The key order is not part of the ETag: take the token's own.
		return tokenParts{service: e.service, meta: e.meta, order: t.KeyOrder}
	}
	p := splitToken(t)
	c.Put(t.Name, tokenPartsEntry{etag: t.ETag, service: p.service, meta: p.meta})
	return p
}
