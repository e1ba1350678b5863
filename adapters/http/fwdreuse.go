package waiterhttp

import (
	"context"
	"net/http"
	"sync"
)

// forwardings and resolveds hold the records forward and proxy reuse: a
// forwarding record and a resolved record were allocations of about
// 1.1 KB and 384 bytes on every proxied request, the fast path's largest
// (mallocgc took 4.4 % of the router's CPU under wrk, two thirds of it
// for these two).
//
// A record may go back only once the response is written: the response's
// header refers to the forwarding record (the answer's header values live
// in it) until the front writes it, which may be after the handler
// returns. So only a front that says when a response is written
// (internal/h1serve's RequestDone, with ConnContext) reuses them: a
// request keeps its records in its connection's scratch, and RequestDone
// gives them to the pools, so that an idle connection holds none. Under
// net/http's server every request makes its own, as before.
var (
	forwardings = sync.Pool{New: func() any { return new(forwarding) }}
	resolveds   = sync.Pool{New: func() any { return new(resolved) }}
)

// connScratch holds a request's records until its response is written
// (RequestDone).
type connScratch struct {
	fw *forwarding
	rs *resolved
}

// takeForwarding returns a zeroed forwarding record for r, r's alone
// until its response is written.
func takeForwarding(r *http.Request) *forwarding {
	if info(r).scratch != nil {
		return forwardings.Get().(*forwarding)
	}
	return new(forwarding)
}

// keep keeps fw for reuse when its request's front says when the
// response is written and nothing else can touch fw once forward has
// returned (reusable).
func (fw *forwarding) keep() {
	if sc := info(fw.req).scratch; sc != nil && fw.reusable() {
		sc.fw = fw
	}
}

// reusable: the fast client's exchange (net/http's transport may still
// hold its request), no body from the client (the exchange may still
// read it), no watchdog timer (its callback may be running), no real
// context made from fw's (the fast client's watch may still wait on it),
// and an answer whose body was closed (its connection is back in the
// pool, or closed).
func (fw *forwarding) reusable() bool {
	if !fw.fast || hasClientBody(fw.req) || fw.socket.timer != nil || fw.answer.req != nil {
		return false
	}
	fw.ctx.mu.Lock()
	defer fw.ctx.mu.Unlock()
	return fw.ctx.real == nil
}

// takeResolved returns a zeroed resolved record for r, r's alone until
// its response is written.
func takeResolved(r *http.Request) *resolved {
	if info(r).scratch != nil {
		return resolveds.Get().(*resolved)
	}
	return new(resolved)
}

// keepResolved keeps rs for reuse when r's front says when its response
// is written. proxy calls it only when nothing keeps rs past the request:
// not for an async request (its monitor has the grant), a websocket (the
// relay has the connection) or an aborted response.
func keepResolved(r *http.Request, rs *resolved) {
	if sc := info(r).scratch; sc != nil {
		sc.rs = rs
	}
}

// RequestDone is for a front that serves a connection's requests one at
// a time with the context ConnContext made (internal/h1serve's
// Server.RequestDone): once a request's response is written, the
// records it kept go back to the pools, emptied (the pools then keep no
// request alive).
func (s *Server) RequestDone(ctx context.Context) {
	ic, ok := ctx.(*infoCtx)
	if !ok {
		return
	}
	if fw := ic.scratch.fw; fw != nil {
		*fw = forwarding{}
		forwardings.Put(fw)
	}
	if rs := ic.scratch.rs; rs != nil {
		putResolved(rs)
	}
	ic.scratch = connScratch{}
	// Nor does the idle connection keep the request's info: its cid is cut
	// from a shared arena, whose chunk it would keep alive
	// (internal/strarena).
	ic.ri = reqInfo{}
}

// dropResolved gives back rs, taken for r (takeResolved) and not used.
func dropResolved(r *http.Request, rs *resolved) {
	if info(r).scratch != nil {
		putResolved(rs)
	}
}

// putResolved empties rs into its pool.
func putResolved(rs *resolved) {
	*rs = resolved{}
	resolveds.Put(rs)
}
