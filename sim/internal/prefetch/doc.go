// Package prefetch asks the processor to load a cache line ahead of
// its use. The simulator knows its next arrival's process and service
// one event ahead; with a thousand services their state is rarely in
// the cache, and a prefetch lets the miss overlap the event before.
package prefetch
