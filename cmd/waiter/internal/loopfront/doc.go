// Package loopfront is the router's event-loop front for plain HTTP/1.1
// proxied requests: a few loops, one per core, each serving many client
// connections and their backend connections from one goroutine over an
// epoll set of its own, with non-blocking reads and writes of the
// sockets' file descriptors. A goroutine-per-connection front spends a
// park and a wake of a goroutine on each wait (for the request, for the
// instance's answer), and the runtime's scheduling of them; measured
// against nginx on the same machine (make bench-proxy) that was the
// difference between 0.8x and 1.1x its throughput.
//
// The loops decide nothing themselves. Each request goes through the
// edge's waiterhttp.LoopCall, which runs the goroutine front's own stages
// (resolve, admit, answer head, errors) without blocking: the engine's
// admission is asynchronous (router.AdmitAsync), and its answer comes
// back to the loop through its mailbox. Anything a loop does not serve
// (a head the fast parser does not take, an API call, a body, an upgrade,
// a caller that needs an authenticator that may wait, a service not yet
// stored, a backend that is not plain HTTP/1.1) hands the connection,
// with the bytes the loop read from it, to the goroutine front
// (internal/h1serve and net/http through h1guard.Split), which serves it
// from that request on as it serves any connection.
//
// The loops accept the listener's connections themselves (Front.Listen,
// accept.go), each loop from a duplicate of its descriptor in its own
// set: such a connection is a bare descriptor until it is handed off,
// when it becomes a net.Conn. Connections that come to a loop as
// net.Conns (Front.Serve: a parked connection the goroutine front gives
// back) stay Go's. The loops wait for their epoll sets through the
// runtime's poller (as internal/connpark does) and read and write the
// descriptors directly, with raw system calls: none of them waits, and
// one the runtime knows of keeps its monitor thread awake (rawsys.go).
//
// The loop's own rules are framing ones only: internal/h1serve parses
// request heads and frames answers (its Buffered writer), and
// internal/h1resp frames instances' answers, refusing ambiguous ones. An
// answer of known length whose head needs no framing of its own passes
// as it came (LoopCall.RelayHead makes the proxy's header edits line by
// line, h1serve.RelaysAsIs says when that is the server's framing too),
// the others through Buffered. Each loop keeps the proxy decisions its
// requests came to (waiterhttp.LoopDecisions) for the next requests of
// the same kind.
//
// A panic while a loop serves one client's request ends that client's
// connection and gives its grant back, and the loop serves on
// (contain.go); a panic while it serves no client ends the process.
package loopfront
