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
// async request its cid and Location, a token watch its cid, the token
// cache a name, the parse cache a request's x-waiter-* headers). Header
// names are not cut here: they are interned (internal/headername).
//
// An Arena is taken from a pool for a few cuts and given back at once
// (Take, Done): nothing idle holds a chunk, and nothing needs to know when
// a request ends. The goroutine front cuts its request heads from pooled
// ones (internal/h1serve), and each event loop from one of its own, which
// only it uses (Head.Strings). Under the race detector, pools drop arenas
// at random and leave their chunks mostly empty: a head string kept
// without a copy would then keep 8 KB alive (what failed the first try,
// before the router's caches copied what they keep).
//
// Track and Live count the chunks still alive, for tests that prove
// nothing keeps them.
package strarena
