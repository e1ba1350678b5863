// Package serve wires `waiter serve` together and runs it: the bbolt store
// in the data folder, or for `--cluster zookeeper` the ZooKeeper store and
// the router's Membership (cluster.go: storage.Members is where the rest of
// serve finds the cluster), the scheduler named by the configuration, the driver
// that owns the engine (internal/router), and the HTTP edge
// (adapters/http) on its listener (and the TLS one when configured:
// HTTP/2 and HTTP/1.1 by ALPN), with the configured authenticator:
// one-user, adapters/jwt, adapters/kerberos or a composite of the last
// two, each adapted to the edge's Authenticator port (authn.go), and the
// secret its x-waiter-auth cookies are sealed with. It refuses a one-user
// router on a listener beyond loopback unless insecure-allow-anyone is
// set, and then warns in the log and on /settings. It also owns the
// shutdown order on
// SIGTERM: stop taking requests, let in-flight ones and open websockets
// finish (bounded by drain-timeout, then closed), release the instances
// of async requests, stop the driver, stop every instance through the
// scheduler, close the store.
//
// Two policies live here because they join several pieces: the listener's
// limits (listener.go: header size and time, idle connections, and why
// there is no total read or write timeout; front.go: with fast-http1,
// plain proxied HTTP/1.1 requests on the cleartext port are served by
// the event loops (cmd/waiter/internal/loopfront, with event-loop) or
// internal/h1serve, and everything else handed to net/http's server,
// behind h1guard; a connection the loops hand off goes to h1serve with
// the bytes they read, and one idle on h1serve for a second waits for
// its next request in an internal/connpark Lot, without a goroutine,
// then goes back to the loops), and which service
// descriptions the store keeps (retention.go: stored when a request
// starts a service, kept for a bounded number of inactive services per
// user, then purged).
//
// The real clock is created by the caller (cmd/waiter's main) and passed
// in, so tests run the same wiring with fakes.
package serve
