package waiterhttp

import (
	"sort"
	"sync"

	"github.com/waiter-go/waiter"
)

// serviceCache remembers, per service id, what the store says about the
// service, so the proxy path reads the store once per service instead of
// on every request. It is safe because one router process owns its store
// (the store file is locked), and every write to these records goes
// through this server's API handlers, which update the cache too.
type serviceCache struct {
	store waiter.ServiceStore

	mu   sync.Mutex
	recs map[string]*svcRecord
}

type svcRecord struct {
	stored       bool
	override     *waiter.Change
	suspension   *waiter.Change
	sourceTokens map[string]string // token name -> etag that reached the service
}

func newServiceCache(store waiter.ServiceStore) *serviceCache {
	return &serviceCache{store: store, recs: map[string]*svcRecord{}}
}

func (c *serviceCache) rec(id string) *svcRecord {
	r := c.recs[id]
	if r == nil {
		r = &svcRecord{}
		c.recs[id] = r
	}
	return r
}

// ensureStored writes a service's core description the first time this
// router sees the id (Waiter's store-core on first use).
func (c *serviceCache) ensureStored(id string, core map[string]any) error {
	c.mu.Lock()
	done := c.rec(id).stored
	c.mu.Unlock()
	if done {
		return nil
	}
	if _, err := c.store.PutServiceDescription(id, core); err != nil {
		return err
	}
	c.mu.Lock()
	c.rec(id).stored = true
	c.mu.Unlock()
	return nil
}

// overrides returns the service's overrides (zero Change when none).
func (c *serviceCache) overrides(id string) (waiter.Change, error) {
	return c.load(id, func(r *svcRecord) **waiter.Change { return &r.override }, c.store.GetOverride)
}

// suspension returns the service's suspension record.
func (c *serviceCache) suspension(id string) (waiter.Change, error) {
	return c.load(id, func(r *svcRecord) **waiter.Change { return &r.suspension }, c.store.GetSuspended)
}

func (c *serviceCache) load(id string, field func(*svcRecord) **waiter.Change, get func(string) (waiter.Change, error)) (waiter.Change, error) {
	c.mu.Lock()
	if p := *field(c.rec(id)); p != nil {
		c.mu.Unlock()
		return *p, nil
	}
	c.mu.Unlock()
	ch, err := get(id)
	if err != nil {
		return waiter.Change{}, err
	}
	c.mu.Lock()
	*field(c.rec(id)) = &ch
	c.mu.Unlock()
	return ch, nil
}

func (c *serviceCache) setOverrides(id string, ch waiter.Change) {
	c.mu.Lock()
	c.rec(id).override = &ch
	c.mu.Unlock()
}

func (c *serviceCache) setSuspension(id string, ch waiter.Change) {
	c.mu.Lock()
	c.rec(id).suspension = &ch
	c.mu.Unlock()
}

// addSources records which token versions reached a service, for /apps.
func (c *serviceCache) addSources(id string, tokens []waiter.Token) {
	if len(tokens) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.rec(id)
	if r.sourceTokens == nil {
		r.sourceTokens = map[string]string{}
	}
	for _, t := range tokens {
		r.sourceTokens[t.Name] = t.ETag
	}
}

// sources returns the token references of a service, sorted by name.
func (c *serviceCache) sources(id string) []tokenRef {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.recs[id]
	if r == nil {
		return nil
	}
	out := make([]tokenRef, 0, len(r.sourceTokens))
	for name, etag := range r.sourceTokens {
		out = append(out, tokenRef{Token: name, Version: etag})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Token < out[j].Token })
	return out
}

// tokenRef is one source token of a service (Waiter's source-tokens entry).
type tokenRef struct {
	Token   string `json:"token"`
	Version string `json:"version"`
}
