package waiterhttp

import (
	"sort"
	"strings"
	"sync"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// descCache remembers validated descriptions by what they were computed
// from: the request's service headers, its x-waiter-param-* values, the
// tokens by name and etag, and the requester. Building and validating a
// description is the most expensive step of resolving a proxied request,
// and its inputs rarely change; a token edit changes its etag and so the
// key. Descriptions are immutable, so sharing them is safe.
//
// It holds at most max entries; when full it starts over, which costs one
// rebuild per distinct service and keeps memory bounded under header
// churn.
type descCache struct {
	max int

	mu sync.Mutex
	m  map[string]*engine.Description
}

func (c *descCache) key(hp engine.HeaderParams, tokens []waiter.Token, user string) string {
	var b strings.Builder
	b.WriteString(engine.ParamsKey(hp.Service))
	b.WriteByte(0)
	names := make([]string, 0, len(hp.ParamEnv))
	for k := range hp.ParamEnv {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(hp.ParamEnv[k])
		b.WriteByte('\n')
	}
	b.WriteByte(0)
	// The headers' key order is part of the service id (engine.KeyOrder).
	for _, k := range []string{"env", "metadata", "param"} {
		b.WriteString(strings.Join(hp.Order[k], ","))
		b.WriteByte('\n')
	}
	for _, t := range tokens {
		b.WriteString(t.Name)
		b.WriteByte('@')
		b.WriteString(t.ETag)
		b.WriteByte('\n')
	}
	b.WriteByte(0)
	b.WriteString(user)
	return b.String()
}

func (c *descCache) get(key string) *engine.Description {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[key]
}

func (c *descCache) put(key string, d *engine.Description) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[string]*engine.Description)
	}
	c.m[key] = d
}

// len is the number of descriptions held.
func (c *descCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
