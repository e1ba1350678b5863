// Package tokenrules holds the rules every token store applies the same
// way, so the bbolt store (adapters/bolt) and the ZooKeeper store
// (adapters/zookeeper) cannot drift apart: the canonical JSON form and
// the ETag taken over it, which keys a caller may not give, If-Match,
// the owner and root defaults, when an update is a no-op, and how a
// service's source-token entries merge.
package tokenrules
