// Package peers is the network between the routers of one Waiter cluster
// (reference section 4): every call one router makes to another, and the
// endpoints that answer them, all authenticated with the cluster secret
// (internal/peerauth; 401 otherwise).
//
//   - Metrics sync (reference 4.5): every router keeps one persistent
//     websocket (github.com/coder/websocket) open to every peer the
//     Membership lists and sends its per-service counters
//     (engine.ServiceCounters) on it every interval (50 ms), reconnecting
//     with a capped backoff when it drops. The receiving side hands each
//     message to its Local as engine.PeerCounters, under the id the
//     signature proved, never the one a message claims. Messages are
//     bounded (MaxMessage) on both sides; a connection that stays silent
//     past the idle timeout is closed. Expiry of a silent peer's numbers is
//     the engine's rule (engine.Config.PeerCountersTTL), not this package's.
//   - Eject (reference 3.5, 5.4): before a kill the leader asks every peer
//     to stop using the victim; a peer that still uses it answers 423 and
//     the kill is vetoed; an unreachable peer vetoes too, so a router cut
//     off from its peers never loses an instance it is using. After a kill
//     the leader tells every peer to eject the instance for good.
//   - Kill delegation: a leader with no killable instance asks the peer
//     its engine names for a candidate (Waiter's waiter-kill-instance),
//     then runs its kill protocol on it.
//   - Work stealing (reference 4.4): a router lends a slot to the peer its
//     engine names (PathOffer, answered 202 at once); the peer gives it
//     back with the outcome of the request it served (PathRelease). Two
//     short calls instead of Waiter's one held open for the whole request.
//   - Fan-out for the API: a service's counters on every router
//     (/apps/{id}?include=metrics) and whether any router still knows a
//     service (DELETE /apps/{id}?timeout=).
//
// The package knows the router only through the Local interface the
// production driver implements; it decides nothing about scaling.
package peers
