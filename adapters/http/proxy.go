package waiterhttp

import (
	"net/http"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// proxy serves a request that names a service (reference 1.2): resolve the
// service, refuse it while suspended, wait for an instance through the
// engine, forward, and release the instance with the outcome.
func (s *Server) proxy(w http.ResponseWriter, r *http.Request) {
	rs, dbg, step := s.proxyDecide(w, r, false)
	if step != decideAdmit {
		return
	}
	var asked time.Time
	timed := s.timed(r)
	if timed {
		asked = s.clock.Now()
	}
	g := &rs.grant // rs is on the heap already; a Grant of its own was one more allocation
	var err error
	*g, err = s.router.Admit(r.Context(), waiter.Admission{Description: rs.desc, QueueTimeout: rs.t.queue})
	if err != nil {
		if r.Context().Err() != nil {
			return // the client went away while queued; the driver canceled it
		}
		s.admitRefused(w, r, rs, err, dbg)
		return
	}
	dbg.grant = g
	if timed {
		dbg.waited = s.clock.Since(asked)
	}
	s.metrics.started()
	released := false
	defer s.releaseOnPanic(g, &released, true)
	if isWebsocketUpgrade(r) {
		outcome := s.forwardWebsocket(w, r, rs, g, dbg)
		released = true
		s.metrics.finished(outcome)
		s.router.Release(*g, outcome)
		return
	}
	outcome, abort, held := s.forward(w, r, rs, g, dbg)
	released = true
	if !held && !abort {
		keepResolved(r, rs)
	}
	s.metrics.finished(outcome)
	if !held {
		s.router.Release(*g, outcome)
	}
	if abort {
		// Abort the connection without finishing the body (no terminating
		// chunk), so the client sees a broken transfer, not a short one.
		panic(http.ErrAbortHandler)
	}
}

// releaseOnPanic is deferred by the code that holds g until it sets
// *released: a panic of the router's own in between ends the request's
// connection (net/http, h1serve and httprouter recover it), not the
// router, and the slot must come back all the same, or the instance
// would count the request in flight for good. The instance is not blamed
// for it: a client error. counted: the proxy metrics counted the request
// started.
func (s *Server) releaseOnPanic(g *waiter.Grant, released *bool, counted bool) {
	if *released {
		return
	}
	if counted {
		s.metrics.finished(engine.OutcomeClientError)
	}
	s.router.Release(*g, engine.OutcomeClientError)
}

// decideStep is where proxyDecide left a request.
type decideStep int

const (
	// decideAnswered: w has the request's answer (an error, a CORS
	// preflight, an interstitial page).
	decideAnswered decideStep = iota
	// decideAdmit: the request is for rs's service, to be admitted.
	decideAdmit
	// decideHandoff (only when asked not to block): the request needs
	// what the caller cannot do without blocking (storing a new service
	// or its source tokens) or a path the event loop does not take (a
	// backend that is not plain HTTP/1.1, gRPC, a websocket); nothing was
	// stored or answered, and serving it again from its start on the
	// goroutine front does what proxy would have done.
	decideHandoff
)

// proxyDecide is a proxied request up to its admission: resolve the
// service, refuse it while suspended, store it before its start, answer
// an interstitial. With nonBlocking (the event-loop front) it hands the
// request off rather than write the store.
func (s *Server) proxyDecide(w http.ResponseWriter, r *http.Request, nonBlocking bool) (*resolved, debugInfo, decideStep) {
	hp, wireKey, err := parseHeaders(r)
	if err != nil {
		s.proxyError(w, r, toError(err), debugInfo{})
		return nil, debugInfo{}, decideAnswered
	}
	// resolveTokens' answer, with the tokens in it, reused when the
	// front says when the response is written (keepResolved; not after
	// an error: a deferred call grew this frame on the request path,
	// whose deepest stack is within bytes of 8 KB).
	rs := takeResolved(r)
	tokens, herr := s.requestTokens(r, hp, rs.tokenBuf[:0])
	if herr != nil {
		s.proxyError(w, r, herr, debugInfo{})
		return nil, debugInfo{}, decideAnswered
	}
	if s.proxyPreamble(w, r, tokens) {
		return nil, debugInfo{}, decideAnswered
	}
	rs, herr = s.resolveTokens(rs, r, hp, wireKey, tokens, true)
	if herr != nil {
		s.proxyError(w, r, herr, debugInfo{})
		return nil, debugInfo{}, decideAnswered
	}
	dbg := debugInfo{rs: rs}
	if sus, err := s.services.suspension(rs.desc.ID); err != nil {
		s.proxyError(w, r, toError(err), dbg)
		return nil, dbg, decideAnswered
	} else if sus.Suspended {
		s.proxyError(w, r, &Error{Status: http.StatusServiceUnavailable, Message: engine.MsgSuspended,
			ServiceID: rs.desc.ID, Details: map[string]any{"suspended-by": sus.User}}, dbg)
		return nil, dbg, decideAnswered
	}
	if nonBlocking && (!s.services.isStored(rs.desc.ID) || s.services.hasUnpersisted(rs.desc.ID, rs.sources) ||
		!s.fastEligible(r, rs.desc.BackendProto)) {
		return nil, dbg, decideHandoff
	}
	if herr := s.storeBeforeStart(rs.desc); herr != nil {
		s.proxyError(w, r, herr, dbg)
		return nil, dbg, decideAnswered
	}
	s.persistSources(rs.desc.ID, rs.sources)
	if s.interstitial(w, r, rs) {
		return nil, dbg, decideAnswered
	}
	// The backend may answer while the client is still uploading (an echo
	// service streams its reply); HTTP/1 handlers must opt in to reading
	// the body after the response has started.
	_ = http.NewResponseController(w).EnableFullDuplex()

	if d, ok := grpcQueueTimeout(r, rs); ok {
		rs.t.queue = d
	}
	return rs, dbg, decideAdmit
}

// admitRefused answers a request the engine refused (err is Admit's).
func (s *Server) admitRefused(w http.ResponseWriter, r *http.Request, rs *resolved, err error, dbg debugInfo) {
	herr := toError(err)
	if herr.ServiceID == "" {
		herr.ServiceID = rs.desc.ID
	}
	s.metrics.rejected(rs.desc.ID, err)
	s.proxyError(w, r, herr, dbg)
}

// proxyError answers a proxied request the router could not serve.
func (s *Server) proxyError(w http.ResponseWriter, r *http.Request, e *Error, dbg debugInfo) {
	if e.ServiceID == "" && dbg.rs != nil {
		e.ServiceID = dbg.rs.desc.ID
	}
	s.setDebugHeaders(w.Header(), r, dbg)
	closeIfBodyUnread(w.Header(), r)
	s.writeError(w, r, e)
	s.metrics.response(e.ServiceID, e.Status)
}
