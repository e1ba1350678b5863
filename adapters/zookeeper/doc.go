// Package zookeeper is the coordinator of a cluster of routers (`waiter
// serve --cluster zookeeper`), on the ZooKeeper ensemble Mesos and
// Marathon clusters already run, as Waiter itself used:
//
//   - Client: one ZooKeeper session per router (github.com/go-zookeeper/zk),
//     shared by the two below, which hear its events (session lost,
//     expired, back; watches fired);
//   - Store: waiter.Store (tokens with history, owners and ETags; service
//     descriptions, overrides, suspension and source tokens) kept in
//     znodes under a base path, so every router reads and writes the same
//     records. The token rules are internal/tokenrules, shared with
//     adapters/bolt, and internal/storetest runs one contract against
//     both stores;
//   - Membership: waiter.Membership: each router's ephemeral sequential
//     znode (its id and URL), the list of them, and the leader by
//     ZooKeeper's election recipe, with min-routers.
//
// # Consistency
//
// Every write decides on the version it read from ZooKeeper and is
// conditional on it (setData with that version, or create), so of two
// routers writing the same token with the same If-Match exactly one wins
// and the other gets ErrPreconditionFailed; without If-Match the later
// writer retries on the newer version, as bbolt's serialised
// transactions would. A token's history lives in its own znode, so a
// token write is a single conditional operation.
//
// Reads go through a cache whose entries were read with a ZooKeeper
// watch: a change made through any router fires the watch on every other
// and makes their entry stale within milliseconds. The cache holds at
// most StoreOptions.CacheSize records (each with one watch); when full,
// reads go to ZooKeeper unwatched and uncached.
//
// # ZooKeeper unreachable
//
// Writes fail at once with waiter.ErrStoreUnavailable naming ZooKeeper
// and its servers (503 at the HTTP edge), and StoreHealth reports the
// store degraded. Reads of records the router read before are answered
// from the cache, stale or not: a router keeps serving the tokens and
// services it knows. A write whose connection broke after it was sent
// may have been applied; its error says ZooKeeper was unavailable, not
// that nothing was written. When the session expires, the client opens
// a new one, the cache reads again (its watches went with the session)
// and the Membership registers the router again.
//
// # Bounds
//
// Token names and service ids are at most MaxKeyBytes, a token's data at
// most MaxTokenBytes and any record at most MaxRecordBytes (ZooKeeper's
// own limit is 1 MiB per request); a token's history keeps the newest
// versions that fit. Packets from a server are bounded too.
package zookeeper
