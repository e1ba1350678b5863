// Package boundedmap owns the router's simplest memory bound: a
// concurrent map of derived values (what can be computed again from its
// key) that holds at most a fixed number of entries and, when full,
// starts over. Starting over costs one recomputation per key in use and
// keeps memory bounded whatever keys the network brings, without the
// bookkeeping of an LRU.
package boundedmap
