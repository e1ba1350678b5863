package zookeeper

import (
	"strings"
	"sync"

	"github.com/go-zookeeper/zk"
)

// cache holds decoded records by znode path (a children listing under
// its path with a trailing "/"). Every fresh entry was read with a
// ZooKeeper watch; the watch's event makes it stale, so a write made
// through any router reaches every other router's cache as soon as
// ZooKeeper delivers the event (milliseconds), with no polling.
//
// A stale entry keeps its value: while ZooKeeper cannot be reached, a
// read of something known is answered from it (the router keeps serving
// the tokens and services it knows); otherwise it is read again.
//
// Entries leave only when their watch fires, so every entry holds at
// most one watch and the number of watches equals the number of entries.
// The cache holds at most max entries; when full, reads of new records
// go to ZooKeeper without a watch and are not kept. That bounds memory
// and watches however many names clients make up.
type cache struct {
	max int

	mu sync.Mutex
	m  map[string]*entry
}

type entry struct {
	val    any  // decoded record (nil when !exists)
	exists bool // the znode existed
	known  bool // val and exists were read at least once
	fresh  bool // read with a watch that has not fired since
	// loading is the token of the read in progress; an event clears it,
	// so a read that raced with a change cannot mark its result fresh.
	loading *int
}

func newCache(max int) *cache {
	return &cache{max: max, m: map[string]*entry{}}
}

// get returns a copy of the entry for key.
func (c *cache) get(key string) (entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return entry{}, false
	}
	return *e, true
}

// begin starts a read of key: it returns the read's token, or nil when
// the cache is full and the read must not set a watch.
func (c *cache) begin(key string) *int {
	c.mu.Lock()
	defer c.mu.Unlock()
	tok := new(int)
	if e, ok := c.m[key]; ok {
		e.loading = tok
		return tok
	}
	if len(c.m) >= c.max {
		return nil
	}
	c.m[key] = &entry{loading: tok}
	return tok
}

// finish stores what the read with token tok found, unless an event
// came in since it began.
func (c *cache) finish(key string, tok *int, val any, exists bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || e.loading != tok {
		return
	}
	e.val, e.exists, e.known, e.fresh, e.loading = val, exists, true, true, nil
}

// abandon ends a failed read; an entry that never held a value goes.
func (c *cache) abandon(key string, tok *int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok && e.loading == tok {
		e.loading = nil
		if !e.known {
			delete(c.m, key)
		}
	}
}

// invalidate makes key stale (its watch fired or is gone).
func (c *cache) invalidate(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.invalidateLocked(key)
}

func (c *cache) invalidateLocked(key string) {
	e, ok := c.m[key]
	if !ok {
		return
	}
	if !e.known {
		delete(c.m, key)
		return
	}
	e.fresh, e.loading = false, nil
}

// invalidateAll makes every entry stale: the session's watches are gone.
func (c *cache) invalidateAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		c.invalidateLocked(k)
	}
}

// onEvent applies a ZooKeeper event: a watched node changed, appeared or
// went, its children changed, or the session and with it every watch is
// gone.
func (c *cache) onEvent(ev zk.Event) {
	switch ev.Type {
	case zk.EventNodeCreated, zk.EventNodeDataChanged, zk.EventNodeDeleted:
		c.invalidate(ev.Path)
		if ev.Type == zk.EventNodeDeleted {
			c.invalidate(ev.Path + "/")
		}
	case zk.EventNodeChildrenChanged:
		c.invalidate(ev.Path + "/")
	case zk.EventNotWatching:
		c.invalidate(ev.Path)
		c.invalidate(ev.Path + "/")
	case zk.EventSession:
		if ev.State == zk.StateExpired {
			c.invalidateAll()
		}
	}
}

// staleKeys lists the keys under prefix whose entries are not fresh.
func (c *cache) staleKeys(prefix string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for k, e := range c.m {
		if !e.fresh && strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}

// count is the number of entries whose key starts with prefix.
func (c *cache) count(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k := range c.m {
		if strings.HasPrefix(k, prefix) && !strings.HasSuffix(k, "/") {
			n++
		}
	}
	return n
}
