// Command proxybench measures what `waiter serve` costs on the request
// path, against the same kitchen reached directly and through nginx, and
// what it adds to a cold start. It is not run in CI: `make bench-proxy`
// runs it.
//
// The proxy benchmark starts a kitchen (with --keep-alive, so that every
// target reuses connections and the figures measure the proxies rather than
// a TCP handshake per request), nginx as a reverse proxy to that kitchen
// with upstream keepalive, and `waiter serve` with a kitchen service of its
// own (one instance, enough concurrency for every connection), then runs
// wrk against each in turn and prints throughput, p50 and p99 latency and
// the ratios waiter/direct and waiter/nginx. Waiter is measured twice: with
// a token (x-waiter-token, the production path) and with the service given
// in x-waiter-* headers on every request (on-the-fly).
//
// The cold-start benchmark sends the first request of N new services (a
// new x-waiter-name each) and times it to its response; right before each,
// it times the same kitchen command from exec to its first answer to
// GET /status. The difference is what Waiter adds to a cold start.
//
// Files: main.go (flags and the run), procs.go (starting and stopping
// kitchen, waiter serve and nginx), nginx.go (its configuration), wrk.go
// (running wrk and reading its output), coldstart.go, stats.go.
package main
