// Package rawio reads and writes a TCP connection's socket with raw
// read(2) and write(2) calls: the proxy's hot path makes four of them per
// request.
//
// Go's net package makes each one through the runtime's syscall entry
// and exit, which lets the scheduler's monitor (sysmon) take the P away
// from a call that lasts longer than its 20 µs tick. On a socket that is
// never blocking (every net socket is non-blocking: the runtime's poller
// waits for readiness instead) that bookkeeping buys nothing, and under
// a proxy's load it costs: profiles of `waiter serve` showed sysmon
// waking every 20 µs to hand Ps off from loopback writes, and the
// handoffs waking and parking threads. A raw call keeps the P; waiting
// for readiness, deadlines and Close still go through the runtime's
// poller (syscall.RawConn), so a Conn behaves as the net.Conn it wraps.
//
// A Conn's ReadFrom (what net/http's transport copies a request body
// into) moves up to 256 KiB per read and write, once the body comes
// fast, where net.TCPConn's moves io.Copy's 32 KiB: readfrom.go. Under
// the race detector the reads and writes go through package syscall's,
// whose annotations are how the detector knows a socket's write happens
// before its peer's read (rawcall_race_linux.go).
//
// NewEpoll (epoll_linux.go) is the one way this project makes an epoll
// set that the runtime's poller waits on, for the event loops, the
// parked connections and the children's exits.
package rawio
