// Package strarena cuts short strings of the router's answers (a
// correlation id, a backend answer's header values) from shared chunks, so
// that the proxy's handler makes no allocation per request in the steady
// state: one per chunk, whose size is Chunk.
//
// The one rule that makes it safe: a byte an Arena has handed out is never
// written again once its string is made (Seal). Strings cut from an Arena
// are as immutable as any and may be kept past their request (a log
// record, an async request's correlation id). The cost of keeping one is
// its whole chunk, which holds other requests' strings, so an arena is for
// strings that are seldom kept, and what keeps one for long copies it (an
// async request its cid and Location, a token watch its cid). It is not
// for a request's head, whose strings the router's caches keep
// (internal/h1serve cuts those from one string per head), nor for header
// names, which are interned (internal/headername). An Arena is taken from
// a pool for a few cuts and given back at once (Take, Done): nothing idle
// holds a chunk, and nothing needs to know when a request ends.
package strarena
