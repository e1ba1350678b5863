// Package waiter holds the domain types and ports of `waiter serve`, in
// the Standard Package Layout (github.com/benbjohnson/wtf): what the
// program keeps and passes around, named once, with no dependency on how
// it is stored or served.
//
//   - tokens, the token store and the service store (token.go, store.go):
//     adapters/bolt implements Store on bbolt; adapters/http reads and
//     writes through it;
//   - the Router port (router.go): Admission in, Grant out, and the
//     read-only snapshots the REST API shows (snapshot.go); the driver in
//     cmd/waiter/internal/router implements it, adapters/http calls it;
//     HistoryKeeper (history.go), which the driver implements too, gives
//     the dashboard each service's recent samples and the recent
//     deployment errors;
//   - the sentinel errors of all of these (errors.go), which adapters wrap
//     with %w and only adapters/http turns into HTTP statuses.
//
// The engine (package engine) is the other half of the domain: the pure
// state machine that decides. This package only names things; it has no
// behaviour beyond reading a token's metadata, and imports nothing of this
// module but the engine, so every adapter and driver can import it and
// none has to import another.
package waiter
