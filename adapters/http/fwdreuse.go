package waiterhttp

import (
	"net/http"
	"sync"
)

// forwardings and resolveds hold the records forward and proxy give
// back: a forwarding record and a resolved record were allocations of
// about 1.1 KB and 384 bytes on every proxied request, the fast path's
// largest (mallocgc took 4.4 % of the router's CPU under wrk, two thirds
// of it for these two). A pool rather than one record per connection:
// an idle connection then holds none.
var (
	forwardings = sync.Pool{New: func() any { return new(forwarding) }}
	resolveds   = sync.Pool{New: func() any { return new(resolved) }}
)

// takeForwarding returns a zeroed forwarding record, r's alone until
// keepForwarding.
func takeForwarding() *forwarding { return forwardings.Get().(*forwarding) }

// keepForwarding gives fw back, emptied, when nothing can touch it once
// forward has returned (reusable). Otherwise the garbage collector takes
// it, as before.
func keepForwarding(r *http.Request, fw *forwarding, fast bool) {
	if reusable(r, fw, fast) {
		*fw = forwarding{} // nor keep the request's objects alive
		forwardings.Put(fw)
	}
}

// reusable: the fast client's exchange (net/http's transport may still
// hold its request), no body from the client (the exchange may still
// read it), no watchdog timer (its callback may be running), no real
// context made from fw's (the fast client's watch may still wait on it),
// and an answer whose body was closed (its connection is back in the
// pool, or closed).
func reusable(r *http.Request, fw *forwarding, fast bool) bool {
	if !fast || hasClientBody(r) || fw.socket.timer != nil || fw.answer.req != nil {
		return false
	}
	fw.ctx.mu.Lock()
	defer fw.ctx.mu.Unlock()
	return fw.ctx.real == nil
}

// takeResolved returns a zeroed resolved record, r's alone until
// keepResolved.
func takeResolved() *resolved { return resolveds.Get().(*resolved) }

// keepResolved gives rs back, emptied. proxy calls it only when nothing
// keeps rs past the request: not for an async request (its monitor has
// the grant), a websocket (the relay has the connection) or an aborted
// response.
func keepResolved(rs *resolved) {
	*rs = resolved{}
	resolveds.Put(rs)
}
