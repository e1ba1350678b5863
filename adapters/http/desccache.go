package waiterhttp

import (
	"sort"
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

// key appends the cache key of a request's sources to buf. The key is
// built into a reused buffer and looked up without converting it to a
// string (the compiler's map[string(b)] form), so a hit allocates
// nothing; only a miss stores a string copy.
//
// hp is the parse of the request's headers and wireKey the key of their
// x-waiter-* headers (parseHeaders). When the parse is a function of
// those headers alone (wireKey not ""), wireKey stands for it, which
// costs far less than the canonical form of the parameters
// (engine.ParamsKey, a string built per request); a leading byte ('h' in
// wireKey, 'p' here) tells the two forms apart.
func (c *descCache) key(buf []byte, wireKey string, hp engine.HeaderParams, tokens []waiter.Token, user string) []byte {
	if wireKey != "" {
		buf = append(buf, wireKey...)
	} else {
		buf = paramsKey(append(buf, 'p'), hp)
	}
	buf = append(buf, 0)
	for _, t := range tokens {
		buf = append(buf, t.Name...)
		buf = append(buf, '@')
		buf = append(buf, t.ETag...)
		buf = append(buf, '\n')
	}
	buf = append(buf, 0)
	buf = append(buf, user...)
	return buf
}

// paramsKey appends the canonical form of hp's parameters to buf.
func paramsKey(buf []byte, hp engine.HeaderParams) []byte {
	if len(hp.Service) > 0 {
		buf = append(buf, engine.ParamsKey(hp.Service)...)
	}
	buf = append(buf, 0)
	if len(hp.ParamEnv) > 0 {
		names := make([]string, 0, len(hp.ParamEnv))
		for k := range hp.ParamEnv {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			buf = append(buf, k...)
			buf = append(buf, '=')
			buf = append(buf, hp.ParamEnv[k]...)
			buf = append(buf, '\n')
		}
	}
	buf = append(buf, 0)
	// The headers' key order is part of the service id (engine.KeyOrder).
	for _, k := range [...]string{"env", "metadata", "param"} {
		for i, v := range hp.Order[k] {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, v...)
		}
		buf = append(buf, '\n')
	}
	return buf
}

// descKeyBufs are key buffers, reused across requests.
var descKeyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

func (c *descCache) get(key []byte) *engine.Description {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[string(key)]
}

func (c *descCache) put(key []byte, d *engine.Description) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[string]*engine.Description)
	}
	c.m[string(key)] = d
}

// len is the number of descriptions held.
func (c *descCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
