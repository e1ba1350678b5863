// Package tokencache keeps live tokens in memory in front of a
// waiter.Store. The proxy looks a token up on every request that names
// one, and reading and decoding it from bbolt is about a tenth of a
// request's cost; the cache serves repeated lookups, known-missing names
// included, and forgets a name on every write to it. It holds at most
// token-cache-size entries, so made-up names cannot grow it without bound.
//
// It is sound only while this process is the store's only writer (bbolt
// locks the file, so one router owns it) and every token write goes
// through the cache. Everything but GetToken, PutToken and DeleteToken
// passes straight to the store.
package tokencache
