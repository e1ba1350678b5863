package waiterhttp

import (
	"container/list"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// serviceCache remembers, per service id, what the store says about the
// service, so the proxy path reads the store once per service instead of
// on every request. It is safe because every write to these records goes
// through this server's API handlers, which update the cache too, or is a
// purge the router tells the server about (ForgetService), or, in a
// cluster sharing a store, a change another router made, which the store
// reports (ServiceChanged).
//
// It also remembers the core description a request resolved to, so a
// service named by /service-id but never started is still found by
// /apps/{id} (Waiter answers from its store, where /service-id wrote it;
// here nothing is stored until a request starts the service), and whether
// this router stored a service's description (storeBeforeStart).
//
// It holds at most max records and evicts the least recently used: a
// flood of requests naming distinct services (/service-id with ever new
// headers) must not grow it without bound. An evicted record is read from
// the store again when needed; only what the store does not keep (the
// resolved description of a service never started, source tokens of a
// service only named by /service-id) is lost until the next request
// records it again.
type serviceCache struct {
	store waiter.ServiceStore
	max   int

	mu   sync.Mutex
	recs map[string]*list.Element // of *svcRecord
	lru  list.List                // front: most recently used
	// gen counts invalidations (stale, forget): a store read that began
	// before one does not cache what it read.
	gen uint64
	// changes counts every change to a record a proxied request's
	// decision reads (stored, overrides, suspension, persisted sources, a
	// record evicted or forgotten): a decision the event loops kept
	// (LoopDecisions) stands while it does not move.
	changes atomic.Uint64
}

type svcRecord struct {
	id string
	// stored: this router stored the service's description (storeBeforeStart).
	stored bool
	// core is the core description a request resolved to (only the core:
	// the effective parameters would cost ten times the memory).
	core         engine.Params
	override     *waiter.Change
	suspension   *waiter.Change
	sourceTokens map[string]string // token name -> etag that reached the service
	// sourcesLoaded: the store's source tokens were merged into
	// sourceTokens; persisted is what the store holds (name -> etag), so
	// each token version is written once, not on every request.
	sourcesLoaded bool
	persisted     map[string]string
}

func newServiceCache(store waiter.ServiceStore, max int) *serviceCache {
	return &serviceCache{store: store, max: max, recs: map[string]*list.Element{}}
}

// rec returns the record of id, creating it (and evicting the least
// recently used record past max). The caller holds mu.
func (c *serviceCache) rec(id string) *svcRecord {
	if el := c.recs[id]; el != nil {
		c.lru.MoveToFront(el)
		return el.Value.(*svcRecord)
	}
	r := &svcRecord{id: id}
	c.recs[id] = c.lru.PushFront(r)
	for c.lru.Len() > c.max {
		c.changes.Add(1)
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.recs, oldest.Value.(*svcRecord).id)
	}
	return r
}

// isStored reports whether this router stored the service's description.
func (c *serviceCache) isStored(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.recs[id]
	return el != nil && el.Value.(*svcRecord).stored
}

// markStored records that the service's description is stored.
func (c *serviceCache) markStored(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.changes.Add(1)
	c.rec(id).stored = true
}

// noteResolved remembers the core description of a service a request
// resolved to.
func (c *serviceCache) noteResolved(id string, core engine.Params) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.rec(id); r.core == nil {
		r.core = core
	}
}

// resolvedCore returns the core description remembered for id.
func (c *serviceCache) resolvedCore(id string) (engine.Params, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.recs[id]; el != nil {
		if core := el.Value.(*svcRecord).core; core != nil {
			return core, true
		}
	}
	return nil, false
}

// forget drops the record of id (its store records were purged).
func (c *serviceCache) forget(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.changes.Add(1)
	if el := c.recs[id]; el != nil {
		c.lru.Remove(el)
		delete(c.recs, id)
	}
}

// len is the number of records held.
func (c *serviceCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
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
	gen := c.gen
	c.mu.Unlock()
	ch, err := get(id)
	if err != nil {
		return waiter.Change{}, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.changes.Add(1)
		*field(c.rec(id)) = &ch
	}
	c.mu.Unlock()
	return ch, nil
}

// stale drops the overrides and suspension remembered for id: another
// router changed them in the shared store (a cluster on ZooKeeper).
func (c *serviceCache) stale(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.changes.Add(1)
	if el := c.recs[id]; el != nil {
		r := el.Value.(*svcRecord)
		r.override, r.suspension = nil, nil
	}
}

func (c *serviceCache) setOverrides(id string, ch waiter.Change) {
	c.mu.Lock()
	c.changes.Add(1)
	c.rec(id).override = &ch
	c.mu.Unlock()
}

func (c *serviceCache) setSuspension(id string, ch waiter.Change) {
	c.mu.Lock()
	c.changes.Add(1)
	c.rec(id).suspension = &ch
	c.mu.Unlock()
}

// addSources records which token versions reached a service, for /apps
// and service rights, in memory (resolving alone stores nothing; see
// Server.persistSources).
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

// loadSources merges the source tokens the store keeps for id into the
// record, once per record: after a restart (or an eviction) the owners of
// the tokens that reached a service keep their rights. A token version
// seen in memory is newer than the stored one and wins.
func (c *serviceCache) loadSources(id string) error {
	c.mu.Lock()
	loaded := c.rec(id).sourcesLoaded
	c.mu.Unlock()
	if loaded {
		return nil
	}
	stored, err := c.store.SourceTokens(id)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.rec(id)
	if r.sourcesLoaded {
		return nil
	}
	if r.sourceTokens == nil {
		r.sourceTokens = map[string]string{}
	}
	if r.persisted == nil {
		r.persisted = map[string]string{}
	}
	for _, t := range stored {
		if _, seen := r.sourceTokens[t.Name]; !seen {
			r.sourceTokens[t.Name] = t.ETag
		}
		r.persisted[t.Name] = t.ETag
	}
	r.sourcesLoaded = true
	c.changes.Add(1)
	return nil
}

// unpersisted returns the versions among tokens the store does not hold
// yet for id, as far as this cache knows (call loadSources first).
func (c *serviceCache) unpersisted(id string, tokens []waiter.Token) []waiter.SourceToken {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.rec(id)
	var out []waiter.SourceToken
	for _, t := range tokens {
		if etag, ok := r.persisted[t.Name]; !ok || etag != t.ETag {
			out = append(out, waiter.SourceToken{Name: t.Name, ETag: t.ETag})
		}
	}
	return out
}

// hasUnpersisted reports whether persistSources would touch the store
// for tokens: the service's stored source tokens are not loaded yet, or
// one of tokens is not stored at its version. It allocates nothing.
func (c *serviceCache) hasUnpersisted(id string, tokens []waiter.Token) bool {
	if len(tokens) == 0 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.rec(id)
	if !r.sourcesLoaded {
		return true
	}
	for _, t := range tokens {
		if etag, ok := r.persisted[t.Name]; !ok || etag != t.ETag {
			return true
		}
	}
	return false
}

// markPersisted records that the store holds refs for id.
func (c *serviceCache) markPersisted(id string, refs []waiter.SourceToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.rec(id)
	c.changes.Add(1)
	if r.persisted == nil {
		r.persisted = map[string]string{}
	}
	for _, t := range refs {
		r.persisted[t.Name] = t.ETag
	}
}

// sources returns the token references of a service, sorted by name:
// those seen by this router and those the store keeps. When the store
// cannot be read, it returns what is in memory and the error.
func (c *serviceCache) sources(id string) ([]tokenRef, error) {
	err := c.loadSources(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	el := c.recs[id]
	if el == nil {
		return nil, err
	}
	r := el.Value.(*svcRecord)
	out := make([]tokenRef, 0, len(r.sourceTokens))
	for name, etag := range r.sourceTokens {
		out = append(out, tokenRef{Token: name, Version: etag})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Token < out[j].Token })
	return out, err
}

// tokenRef is one source token of a service (Waiter's source-tokens entry).
type tokenRef struct {
	Token   string `json:"token"`
	Version string `json:"version"`
}
