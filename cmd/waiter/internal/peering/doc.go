// Package peering joins the production driver (cmd/waiter/internal/router)
// to the network of its peer routers (adapters/peers): the driver is the
// network's Local (its counters go out, its peers' come in, it answers
// ejects and delegated kills), the network is the driver's Peers, and the
// inter-router endpoints are served beside Waiter's API on the router's
// own port. It is wiring only: the rules are the engine's, the transport
// the adapter's. A router without a cluster (the bbolt default) never
// builds one, and behaves exactly as before.
package peering
