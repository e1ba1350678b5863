package waiterhttp

import "net/http"

// connScratch is what the requests of one connection reuse, one request
// after the other, when the front serves them one at a time
// (ConnContext): a forwarding record and a resolved record were
// allocations of about 1.1 KB and 384 bytes on every proxied request,
// the fast path's largest (mallocgc took 4.4 % of the router's CPU under
// wrk, two thirds of it for these two).
type connScratch struct {
	fw *forwarding // nil: none to reuse
	rs *resolved   // nil: none to reuse
}

// takeResolved returns a zeroed resolved record for r: its connection's
// when there is one to reuse, else a new one.
func takeResolved(r *http.Request) *resolved {
	if sc := info(r).scratch; sc != nil && sc.rs != nil {
		rs := sc.rs
		sc.rs = nil
		*rs = resolved{}
		return rs
	}
	return new(resolved)
}

// keepResolved gives rs to r's connection for its next request. proxy
// calls it only when nothing keeps rs past the request: not for an
// async request (its monitor has the grant) or a websocket (the relay
// has the connection).
func keepResolved(r *http.Request, rs *resolved) {
	if sc := info(r).scratch; sc != nil {
		sc.rs = rs
	}
}

// takeForwarding returns a forwarding record for r: its connection's
// when there is one to reuse, else a new one. Either way it is r's alone
// until keepForwarding.
func takeForwarding(r *http.Request) *forwarding {
	if sc := info(r).scratch; sc != nil && sc.fw != nil {
		fw := sc.fw
		sc.fw = nil
		return fw
	}
	return new(forwarding)
}

// keepForwarding gives fw to r's connection for its next request when
// nothing can touch fw once forward has returned: the fast client's
// exchange (net/http's transport may still hold its request), no body
// from the client (the exchange may still read it), no watchdog timer
// (its callback may be running) and no real context made from fw's
// (the fast client's watch may still wait on it), and an answer whose
// body was closed (its connection is back in the pool, or closed).
// Otherwise the garbage collector takes fw, as before.
func keepForwarding(r *http.Request, fw *forwarding, fast bool) {
	sc := info(r).scratch
	if sc == nil || !fast || hasClientBody(r) || fw.socket.timer != nil || fw.answer.req != nil {
		return
	}
	fw.ctx.mu.Lock()
	real := fw.ctx.real
	fw.ctx.mu.Unlock()
	if real != nil {
		return
	}
	sc.fw = fw
}
