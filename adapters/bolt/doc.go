// Package bolt is the durable store of `waiter serve`: one bbolt file in the
// data folder holding everything a router must remember across restarts.
//
// It owns five kinds of record, mirroring the key namespace Waiter keeps in
// its ZooKeeper KV store (waiter/src/waiter/kv.clj, token.clj):
//
//   - tokens: named JSON objects of service parameters plus token metadata
//     (owner, last-update-time, last-update-user, ...), with an ETag, the last
//     few versions as history, and soft deletion;
//   - service descriptions, by service id (Waiter's ^SERVICE-ID#<id>);
//   - per-service overrides (^OVERRIDE#<id>);
//   - per-service suspension (^STATUS#<id>);
//   - per-service source tokens: the token versions that reached the
//     service, so their owners keep their rights after a restart
//     (^SOURCE-TOKENS#<id>).
//
// The record types (waiter.Token, waiter.Change), the port it implements
// (waiter.Store) and the errors it reports (waiter.ErrTokenNotFound, ...)
// are the domain's, in the module's root package; this package adds only
// what is about the file (ErrForeignFile, ErrCorrupt, ErrSchemaVersion,
// ErrLocked, ErrEmptyKey).
//
// The package stores and versions these records; it does not validate
// service parameters, check permissions or speak HTTP. Callers (the HTTP
// adapter, the CLI) decide what may be written; the store decides how it is
// written: atomically, durably, and with If-Match checked inside the same
// transaction as the write, so two routers' worth of concurrent edits cannot
// both win. It never reads a clock: every write takes its time as a parameter.
//
// # File layout
//
// Top-level buckets (schema version 2):
//
//	meta                  "schema" -> "waiter-go/adapters/bolt", "version" -> "2"
//	tokens                <token name> -> {"data": {...}, "etag": "E-..."}
//	token-history         <token name>/ (nested bucket)
//	                        <8-byte big-endian sequence> -> {"data", "etag"} of a prior version
//	token-owners          <owner>/ (nested bucket)
//	                        <token name> -> "" (index for ListTokens by owner)
//	service-descriptions  <service id> -> {...} (the core service description)
//	service-overrides     <service id> -> {"overrides": {...}, "last-updated-by", "time"}
//	service-suspension    <service id> -> {"suspended": bool, "last-updated-by", "time"}
//	service-source-tokens <service id> -> [{"token", "version"}, ...] sorted by token
//
// Times are stored as epoch milliseconds, as Waiter does. Every value in
// the data buckets is sealed with a CRC-32C over its bucket path, key and
// payload (record.go): bbolt checksums only its meta pages. A record that
// fails its checksum is never returned as data: reads return a
// *CorruptRecordError, listings leave it out, and Health names it (logged
// once). Schema version 1 files (plain values) are migrated on open.
//
// # Durability
//
// Every write is one bbolt read-write transaction, fsynced (bbolt's
// default, which this package never turns off) before the call returns, so
// an acknowledged write survives kill -9 of the router; crash_test.go kills
// a writer process mid-write and checks every acknowledged write is there.
// kill -9 leaves the OS page cache intact, so that test proves we never
// acknowledge before commit; surviving power loss rests on the fsync. Writes
// that change nothing (a token no-op, re-storing an identical service
// description) do not commit, so they cost no fsync.
//
// # Opening
//
// Open refuses, with an error naming the path and the problem, a file that is
// not a bbolt file or lacks this package's schema marker (ErrForeignFile), a
// damaged, truncated or empty bbolt file (ErrCorrupt), a schema version this
// build does not read (ErrSchemaVersion), and a file another process holds
// open (ErrLocked, after a short lock timeout).
//
// bbolt trusts what it reads: a truncated file kills it with SIGBUS, and a
// branch page that points at itself sends its cursors round forever while
// their stacks grow without bound. So Open locks the file, reads the meta
// pages itself (header.go), and walks every page from the root, each at
// most once, checking ids, types, element offsets, key order, depth and
// the free list (walk.go); the walk also checks every record's checksum.
// It runs under a deadline and the caller's context. Only then does it
// hand the same locked descriptor to bbolt. New files are created whole
// under a temporary name (create.go), so an empty file at the path was
// damaged, not left by a crash while creating it.
//
// A full or read-only disk makes writes fail with ErrStoreFull or
// ErrStoreReadOnly; a file that can only be read opens read-only. A write
// that fails is rolled back whole (bbolt writes the meta page last), so
// the previous version stays; diskfull_linux_test.go fills a real file
// system and checks every acknowledged write survives.
package bolt
