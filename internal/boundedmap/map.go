package boundedmap

import "sync"

// Map holds at most Max entries (Max <= 0: one); when a Put finds it full
// it drops every entry first. The zero value with Max set is ready; it is
// safe for concurrent use.
type Map[K comparable, V any] struct {
	Max int

	mu sync.RWMutex
	m  map[K]V
}

// Get returns the value stored under k.
func (c *Map[K, V]) Get(k K) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

// Put stores v under k, starting over when the map is full.
func (c *Map[K, V]) Put(k K, v V) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= max(c.Max, 1) {
		c.m = make(map[K]V)
	}
	c.m[k] = v
	c.mu.Unlock()
}

// Len is how many entries the map holds.
func (c *Map[K, V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
