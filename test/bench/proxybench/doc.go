// Command proxybench measures what `waiter serve` costs on the request
// path, against the same kitchen reached directly, through nginx and
// through haproxy, and what it adds to a cold start. It is not run in CI:
// `make bench-proxy` runs it.
//
// The proxy benchmark starts a kitchen (with --keep-alive), nginx and
// haproxy in front of it with kept-alive upstream connections, nginx
// again in front of a second kitchen that checks an instance's
// credentials, adding the five headers Waiter adds to every request to an
// instance ("nginx + waiter hdrs": how much of Waiter's gap to nginx is
// what its protocol costs the backend and how much the router), a bare
// fasthttp proxy ("fasthttp (bare)", ./fastproxy: fasthttp's Server and
// HostClient, no logic: the floor of a Go proxy with a goroutine per
// connection, as Waiter's is, on the machine), a
// bare event-loop proxy ("gnet loop (bare)", ./loopproxy: gnet's epoll
// loops with a backend pool per loop, no goroutine per connection, the
// way nginx is built; it frames only what the kitchen sends), the
// same design without gnet ("epoll loop (bare)", ./epollproxy: epoll sets
// of its own, waited on through the runtime's poller, over Go's
// net.Conns, which a router could hand to a goroutine, as gnet's
// connections cannot be; with -loop-work D a second one spends D of CPU
// on every request, where a router doing that much work of its own would
// land on this floor), and `waiter
// serve` with a kitchen service of its own (one instance, enough
// concurrency for every connection); with -base-waiter, a second `waiter
// serve` from another binary (say, main's) is measured alongside, the
// same-run baseline of a change. Three cases: keep-alive GET /hello, the
// same with Connection: close (a new connection per request), and a 1 MiB
// upload (POST, wrk Lua script). Each case runs in interleaved rounds:
// every target once per round, in turn (in reverse in every other round,
// so that each of two targets runs both before and after the other), so
// a machine loaded by others weighs on all alike; each round prints throughput, p50 and p99 and the
// throughput ratios to nginx and haproxy, and the case ends with the
// median over rounds of each target's throughput and p99 ratios to
// direct, nginx and haproxy. It then compares each Waiter target with
// nginx, and with -base-waiter with the base's same target, round by
// round (paired.go): the median of the per-round ratios of CPU per
// request and of throughput, and in how many rounds each was cheaper or
// faster, with a sign test's p-value; many short rounds (-rounds 20 -d
// 3s) tell a change of 1-2 % from the host's noise where the medians of
// a few rounds do not. Waiter is measured with a token
// (x-waiter-token, the production path) and with the service in x-waiter-*
// headers on every request (on-the-fly). With -profile DIR the Waiter
// under test serves its runtime profiles (debug-listen), and the last
// round of each case takes a CPU profile of it under that very load,
// writes it to DIR and prints its top functions. With -event-loops N the
// Waiter under test runs N event loops (-base-waiter, given the same
// binary, is then the default's baseline). Every measurement also
// counts the CPU that processes outside the benchmark used meanwhile
// (bystanders.go); when they took more than 5 % of a CPU it names them
// after the round and says the ratios of that round are not the
// proxies': interleaving evens out a steady neighbour, not one that
// starts or ends mid-run. The median line also splits the whole
// machine's CPU per request (/proc/stat) into the backend's (every
// process named kitchen) and wrk's, and gives the share of the machine
// left idle: on two cores wrk, the kitchen and the proxy share, a
// proxy's throughput follows the machine's CPU per request, not its own
// alone, and a machine left idle more often under the same load is one
// whose processes wake each other late.
//
// The cold-start benchmark sends the first request of N new services (a
// new x-waiter-name each), for the kitchen and for a minimal Go backend
// (./minimal), and times it to its response; right before each, it times
// the same command from exec (through /bin/sh -c, as the shell scheduler
// runs it) to its first answer to GET /status. The paired difference is
// what Waiter adds to a cold start; with -base-waiter the two routers
// alternate sample by sample and the ratio of their median overheads is
// printed.
//
// The memory benchmark (-only memory, `make bench-memory`) opens idle
// keep-alive connections to nginx and to waiter serve, half and then the
// other half, and prints RSS per connection on average and for the second
// half alone (without what a server holds whatever their number), and
// waiter serve's live heap per connection after a collection, read through
// its debug listener: its RSS also holds the garbage of the connections'
// setup, which its GC floor (32 MB over the live heap) leaves uncollected
// for a while. With -profile it also prints waiter serve's heap profile
// with the connections open. Then (-services N, 1,000 by default) a
// router of its own on the shell scheduler starts N services of one
// instance each: its RSS per service, and its idle CPU over 10 s against
// the idle CPU of a router restarted after a crash that adopted those
// instances (x-own-instances: an adopted instance, not the router's
// child, costs no more to watch).
//
// Files: main.go (flags and the run), procs.go (starting and stopping
// kitchen, waiter serve and nginx), nginx.go and haproxy.go (their
// configurations), bareproxy.go (starting the bare proxies), rounds.go (cases and interleaved rounds), paired.go (the round-by-round comparisons with nginx and the base), wrk.go
// (running wrk and reading its output), procstat.go (processes' CPU from /proc), machinecpu.go (the machine's), bystanders.go (the check for other
// busy processes), coldstart.go, stats.go, profile.go (-profile), memory.go, memory_services.go and memory_adopt.go (-only memory).
package main
