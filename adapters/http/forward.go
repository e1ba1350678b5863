package waiterhttp

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Waiter's backend failure messages (classify-error in process_request.clj).
const (
	msgConnectFailed  = "Request failed to connect to service backend"
	msgBackendFailed  = "Request to service backend failed"
	msgBackendTimeout = "Request to service backend timed out"
	msgClientTimeout  = "Timeout receiving bytes from client"
	msgClientClosed   = "Connection unexpectedly closed while streaming request"
)

// forward sends a granted request to its instance and streams the answer
// back. It returns the outcome to release the grant with, whether the
// client connection must be aborted because the response broke after its
// status was sent (Waiter's "poison pill": the client must not mistake a
// truncated body for a complete one), and whether the grant was handed to
// an async request, which releases it when the work completes (then the
// caller must not).
func (s *Server) forward(w http.ResponseWriter, r *http.Request, rs *resolved, g *waiter.Grant, dbg debugInfo) (_ engine.Outcome, abort, held bool) {
	fast := s.fastEligible(r, rs.desc.BackendProto)
	fw := takeForwarding(r)
	fw.rc = *http.NewResponseController(w)
	fw.req, fw.fast = r, fast
	var ctx context.Context
	var cancel canceler
	if fast {
		fw.ctx.parent = r.Context()
		ctx, cancel = &fw.ctx, &fw.ctx
	} else {
		cctx, cf := context.WithCancelCause(r.Context()) // net/http's transport takes it
		ctx, cancel = cctx, causeFunc(cf)
	}
	fw.cancel = cancel
	defer fw.done() // first deferred, so it runs after the others
	socket, rc := &fw.socket, &fw.rc
	*socket = watchdog{clk: s.clock, cancel: cancel, cause: errBackendTimeout}
	defer socket.disable()

	// A stalled client must not stall the request: the transport only
	// returns once it stops writing the body, and a read of the client's
	// body ignores ctx. Expiring the connection's read deadline unblocks it.
	var stopClient context.CancelCauseFunc // only a body's watchdog calls it
	if hasClientBody(r) {
		stopClient = func(cause error) {
			cancel.cancelWith(cause)
			_ = rc.SetReadDeadline(time.Unix(1, 0))
		}
	}
	out, hdr, body := s.backendRequestOf(&fw.out, r, rs, g, stopClient, socket, fast)
	if hdr != nil {
		hdr.answer = &fw.answer
	}
	defer body.finish(rc)
	dbg.proto = rs.desc.BackendProto
	sent := s.clock.Now()
	if !fast {
		// The fast client bounds the wait with the connection's own
		// deadline of the same length (roundTrip), which costs no timer;
		// a body's upload activity still arms this one (clientBody).
		socket.arm(rs.t.socket)
	}
	resp, err := s.roundTrip(ctx, out, hdr, rs.desc.BackendProto, rs.t.socket, sent, cancel)
	// The socket timeout covers the wait for the response to start; upload
	// activity after that (an echo service) must not re-arm it.
	socket.disable()
	if s.timed(r) {
		dbg.backend = s.clock.Since(sent)
	}
	if err == nil {
		if berr := body.brokeFirst(ctx); berr != nil {
			// The client's body broke (it stalled past the streaming
			// timeout, or went away) and the instance answered anyway:
			// an answer to a request it never got whole. The round trip
			// failed on the client's side, and is answered as such
			// (408 for the stall), not relayed: relayed whole, the client
			// would take an answer to part of its upload for one to all
			// of it; relayed and then aborted (the request's context ends
			// with its body's read), it got no answer at all.
			_ = resp.Body.Close()
			resp, err = nil, berr
		}
	}
	if err != nil {
		herr, outcome := classifyFailure(ctx, r, body, err)
		if herr != nil {
			herr.ServiceID = rs.desc.ID
			s.setDebugHeaders(w.Header(), r, dbg)
			closeIfBodyUnread(w.Header(), r)
			s.writeError(w, r, herr)
			s.metrics.response(rs.desc.ID, herr.Status)
		}
		return outcome, false, false
	}
	defer resp.Body.Close()

	dbg.proto = resp.Proto
	outcome, held := s.answerHead(w, r, rs, g, out.URL, resp.StatusCode, resp.Header, dbg)

	backendErr, clientErr := s.stream(ctx, w, rc, resp, rs.t.streaming, cancel)
	switch {
	case clientErr != nil || r.Context().Err() != nil:
		return engine.OutcomeClientError, true, held
	case backendErr != nil:
		if body.failed() != nil || errors.Is(causeOf(ctx), errClientTimeout) {
			return engine.OutcomeClientError, true, held
		}
		s.log.Info("backend response broke while streaming", "cid", info(r).cid,
			"service-id", rs.desc.ID, "instance", g.Instance, "error", backendErr, "cause", causeOf(ctx))
		return engine.OutcomeInstanceError, true, held
	}
	h := w.Header()
	for k, vv := range resp.Trailer {
		h[http.TrailerPrefix+k] = vv
	}
	return outcome, false, held
}

// answerHead writes the head of an instance's answer to the client (the
// status the instance gave, its headers less hop-by-hop ones, Via, x-cid,
// debug headers) and returns the outcome to release the grant with, and
// whether an async request took the grant (held). backend is the URL the
// request went to; dbg.proto is the protocol the instance answered in.
// Both fronts answer through it: forward, and the event loop's LoopCall.
func (s *Server) answerHead(w http.ResponseWriter, r *http.Request, rs *resolved, g *waiter.Grant, backend *url.URL,
	status int, header http.Header, dbg debugInfo) (_ engine.Outcome, held bool) {
	outcome := engine.OutcomeSuccess
	if status == http.StatusServiceUnavailable {
		// A backend that says it is busy is ejected like a failing one
		// (Waiter's instance-busy release), and its answer passed on.
		outcome = engine.OutcomeInstanceBusy
	}
	if isGRPC(r) && header.Get("grpc-status") == grpcUnavailable {
		// gRPC's "busy" (Waiter's service-unavailable?).
		outcome = engine.OutcomeInstanceBusy
	}
	h := w.Header()
	copyResponseHeaders(h, header)
	if location, query, ok := asyncLocation(backend, status, header); ok {
		if status, started := s.startAsync(r, rs, g, location, query); started {
			h.Set("Location", status)
			held = true
		}
	}
	if via := s.via(r); via == s.via11 && len(h[hdrVia]) == 0 {
		h[hdrVia] = s.via11s // appendVia's answer, shared (len and cap 1: an append copies)
	} else {
		appendVia(h, via)
	}
	h[canonCID] = info(r).cidValues()
	s.setDebugHeaders(h, r, dbg)
	closeIfBodyUnread(h, r)
	w.WriteHeader(status)
	s.metrics.response(rs.desc.ID, status)
	return outcome, held
}

// backendRequest builds the request to the instance: same method, path,
// query and body (streamed, with its length when known), cleaned headers.
func (s *Server) backendRequest(ctx context.Context, r *http.Request, rs *resolved, g *waiter.Grant,
	stopClient context.CancelCauseFunc, socket *watchdog) (*http.Request, *clientBody) {
	out, _, body := s.backendRequestOf(&outgoing{}, r, rs, g, stopClient, socket, false)
	return out.WithContext(ctx), body
}

// outgoing is a request to an instance with its URL and its headers for
// the fast client, one allocation.
type outgoing struct {
	req http.Request
	url url.URL
	hdr backendHeaders
}

// forwarding is what forward keeps for one request, in one allocation
// (each was one of its own, on every request): the request to the
// instance, the socket timeout's watchdog and the response controller.
type forwarding struct {
	out    outgoing
	socket watchdog
	rc     http.ResponseController
	answer fastBody // the fast client's answer (backendHeaders.answer)
	ctx    fwdCtx   // the fast client's context
	// req, fast and cancel are forward's, for done: one deferred call
	// with one argument, where two with five grew forward's frame by 64
	// bytes, and the request path's deepest stack past 8 KB for a third
	// of the connections (16 KB each).
	req    *http.Request
	fast   bool
	cancel canceler
}

// done ends forward: its context is canceled, and the record kept for
// reuse when it may be (keep).
func (fw *forwarding) done() {
	fw.cancel.cancelWith(nil)
	fw.keep()
}

// backendHost is the Host a request to an instance carries: the
// client's, else (an HTTP/1.0 client may send none) the instance's own
// address, as net/http's client, Jetty's and nginx's would send. The
// fast client refuses to send a request without one, and that failure
// would be blamed on the instance.
func backendHost(client, instance string) string {
	if client != "" {
		return client
	}
	return instance
}

// hasClientBody reports a request body backendRequestOf sends.
func hasClientBody(r *http.Request) bool {
	return r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0
}

// backendRequestOf is backendRequest without the context: the fast
// client takes the context apart (roundTrip), and net/http's transport
// gets the request with it there, so the fast path copies no request.
// For the fast client (fast), the request has no header map: hdr writes
// the same headers onto the wire request; otherwise hdr is nil.
func (s *Server) backendRequestOf(o *outgoing, r *http.Request, rs *resolved, g *waiter.Grant,
	stopClient context.CancelCauseFunc, socket *watchdog, fast bool) (*http.Request, *backendHeaders, *clientBody) {
	o.url = url.URL{
		Scheme:   schemeOf(rs.desc.BackendProto),
		Host:     s.backendAddrs.get(g.Host, g.Port),
		Path:     r.URL.Path,
		RawPath:  r.URL.RawPath,
		RawQuery: r.URL.RawQuery,
	}
	o.req = http.Request{
		Method:        r.Method,
		URL:           &o.url,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Host:          backendHost(r.Host, o.url.Host),
		ContentLength: r.ContentLength,
	}
	out := &o.req
	var hdr *backendHeaders
	if fast {
		hdr = &o.hdr
		ri := info(r)
		*hdr = backendHeaders{in: r.Header, fields: ri.wireFields(r.Header), cid: ri.cid, user: rs.user, via: s.via(r)}
		if s.cfg.BackendAuth != nil {
			hdr.auth, _ = s.backendAuths.header(rs.desc.ID, s.cfg.BackendAuth)
		}
	} else {
		out.Header = backendRequestHeaders(r.Header, info(r).cid, rs.user, s.via(r))
		s.backendAuth(out, rs.desc.ID)
	}
	if isGRPC(r) {
		// The one hop-by-hop header gRPC needs carried: servers may
		// refuse a call that does not promise to accept trailers.
		out.Header["Te"] = []string{"trailers"}
	}
	var body *clientBody
	if hasClientBody(r) {
		body = &clientBody{
			body:     r.Body,
			idle:     newWatchdog(s.clock, stopClient, errClientTimeout),
			idleFor:  rs.t.streaming,
			activity: func() { socket.arm(rs.t.socket) },
		}
		out.Body = body
		// Shared, not copied: the server fills trailer values in once the
		// body has been read, which is when the transport sends them.
		out.Trailer = r.Trailer
	} else {
		out.ContentLength = 0
	}
	return out, hdr, body
}

// classifyFailure maps a failed round trip to Waiter's answer and the
// outcome the engine should see (reference 1.8). A nil *Error means the
// client is gone and nothing can be written.
func classifyFailure(ctx context.Context, r *http.Request, body *clientBody, err error) (*Error, engine.Outcome) {
	cause := causeOf(ctx)
	switch {
	case errors.Is(cause, errBackendTimeout):
		return &Error{Status: http.StatusGatewayTimeout, Message: msgBackendTimeout, Cause: err}, engine.OutcomeInstanceError
	case errors.Is(cause, errClientTimeout):
		return &Error{Status: http.StatusRequestTimeout, Message: msgClientTimeout, Cause: err}, engine.OutcomeClientError
	case r.Context().Err() != nil:
		return nil, engine.OutcomeClientError
	case body.failed() != nil:
		return &Error{Status: http.StatusBadRequest, Message: msgClientClosed, Cause: body.failed()}, engine.OutcomeClientError
	case isDialError(err):
		return &Error{Status: http.StatusBadGateway, Message: msgConnectFailed, Cause: err}, engine.OutcomeInstanceError
	}
	return &Error{Status: http.StatusBadGateway, Message: msgBackendFailed, Cause: err}, engine.OutcomeInstanceError
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
