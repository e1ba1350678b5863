package waiterhttp

import (
	"net"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/h1guard"
	"github.com/waiter-go/waiter/internal/h1serve"
)

// LoopCall is one proxied request served by the router's event-loop
// front (cmd/waiter/internal/serve), which holds its connections' bytes
// itself and cannot block: it parses the head, asks Begin what to do,
// sends the instance the request AppendRequest writes, reads the answer
// and hands its head to Answer and its body to the writer, then calls
// Finish. Every decision is the goroutine front's own (proxyDecide,
// answerHead, writeError): only the waiting differs. One LoopCall serves
// the requests of one connection, one at a time.
type LoopCall struct {
	s         *Server
	decisions *LoopDecisions // its loop's
	r         *http.Request
	fields    []h1serve.Field     // r's header lines in wire order, or nil (Begin)
	w         http.ResponseWriter // the front's writer, or rec around it
	rec       statusRecorder      // the access log's view of w
	ri        *reqInfo
	rs        *resolved
	dbg       debugInfo
	// g is the grant once admitted (granted); pending the queued
	// request's id while it waits.
	g       waiter.Grant
	granted bool
	pending engine.RequestID
	asked   time.Time
	sent    time.Time
	// outcome is what the request is released with when its answer ends
	// whole; held: an async request took the grant.
	outcome engine.Outcome
	held    bool
	url     url.URL
	hdr     backendHeaders
	// answerHdr is the instance's answer's header, reused.
	answerHdr http.Header
	// reqBuf is AppendRequest's output while appendHeader appends to it;
	// addHeader is c.appendHeader, made once.
	reqBuf    []byte
	addHeader func(k, v string)
}

// LoopStep is what the front does next with a LoopCall.
type LoopStep int

const (
	// LoopAnswered: the answer is in the writer; Finish the call.
	LoopAnswered LoopStep = iota
	// LoopHandoff: the request is for the goroutine front, from its
	// start; nothing was answered, stored or admitted.
	LoopHandoff
	// LoopQueued: the request waits for an instance; the notify given to
	// Begin brings the answer, for Admitted.
	LoopQueued
	// LoopForward: an instance is granted; send the request (Backend,
	// AppendRequest).
	LoopForward
)

// LoopFailure is how an exchange with an instance failed before any of
// its answer reached the client.
type LoopFailure int

const (
	// LoopConnectFailed: no connection to the instance.
	LoopConnectFailed LoopFailure = iota
	// LoopBackendFailed: the instance closed or broke the exchange.
	LoopBackendFailed
	// LoopBackendTimeout: no answer within the socket timeout.
	LoopBackendTimeout
)

// LoopEnd is how an answer that started ended.
type LoopEnd int

const (
	// LoopComplete: the answer was sent whole.
	LoopComplete LoopEnd = iota
	// LoopBackendBroke: the instance's answer broke off (or stalled past
	// the streaming timeout) after its head was sent: the client's
	// connection is aborted.
	LoopBackendBroke
	// LoopClientGone: the client went away.
	LoopClientGone
)

// NewLoopCall returns a LoopCall of the loop whose decisions d holds
// (nil: none kept).
func (s *Server) NewLoopCall(d *LoopDecisions) *LoopCall { return &LoopCall{s: s, decisions: d} }

// reset empties c for its next request, keeping what it reuses.
func (c *LoopCall) reset() {
	*c = LoopCall{s: c.s, decisions: c.decisions, answerHdr: c.answerHdr, addHeader: c.addHeader}
}

// LoopRoutable reports whether the event loop may serve a request with
// this parsed head: proxied (not an API call), with no body, no Upgrade
// or Expect, and no header that describes env, metadata or params
// (their order as sent matters, which only the goroutine front keeps).
// fields are the head's header lines in wire order (h1serve.Head.Fields),
// walked instead of r.Header's map; nil walks the map.
func (s *Server) LoopRoutable(r *http.Request, fields []h1serve.Field) bool {
	if r.ContentLength != 0 || r.ProtoMajor != 1 || r.ProtoMinor != 1 {
		return false
	}
	if _, ok := r.Header["Upgrade"]; ok {
		return false // a websocket or h2c: net/http (h1guard's Head.Plain refuses these too)
	}
	if _, ok := r.Header["Expect"]; ok {
		return false
	}
	service := false
	if fields != nil {
		for _, f := range fields {
			svc, ordered := h1guard.ServiceHeader(f.Key)
			if ordered {
				return false
			}
			service = service || svc
		}
	} else {
		for k := range r.Header {
			svc, ordered := h1guard.ServiceHeader(k)
			if ordered {
				return false
			}
			service = service || svc
		}
	}
	return s.Proxied(r.RequestURI, r.Host, service)
}

// Begin starts serving r (parsed by the front, with the context
// ConnContext made for the connection), answering through w. It decides
// the request as proxy does, without blocking: a request whose caller
// must be authenticated by a means that may wait (Kerberos, a JWT whose
// keys may need fetching), or that would store a new service, is handed
// off. An admission the engine queues is answered through notify, on any
// goroutine: the front must pass the answer back to Admitted on its own.
// fields are r's header lines in wire order (h1serve.Head.Fields), which
// the call walks instead of r.Header's map (and forwards in that order);
// nil walks the map.
func (c *LoopCall) Begin(w http.ResponseWriter, r *http.Request, fields []h1serve.Field, notify func(waiter.Grant, error)) LoopStep {
	s := c.s
	admitter, ok := s.router.(waiter.AsyncAdmitter)
	if !ok || !s.fastEnabled() {
		return LoopHandoff
	}
	c.reset()
	c.fields = fields
	r, ri := withInfo(r, s.clock.Now())
	if !s.authenticatesAtOnce(r, ri) {
		return c.handoff(r)
	}
	c.r, c.ri, c.w = r, ri, w
	ri.header = w.Header()
	w.Header()[canonCID] = ri.cidValues()
	ri.api, ri.apiKnown = false, true
	if s.cfg.AccessLog != nil {
		c.rec = statusRecorder{ResponseWriter: w}
		c.w = &c.rec
	}
	if s.draining.Load() {
		s.proxyError(c.w, r, &Error{Status: http.StatusServiceUnavailable, Message: "Router is draining"}, debugInfo{})
		return LoopAnswered
	}
	if rs, ok := s.decided(c.decisions, r, fields, ri); ok {
		c.rs, c.dbg = rs, debugInfo{rs: rs}
	} else {
		if !httpguts.ValidHostHeader(r.Host) {
			// net/http's 400, from the goroutine front. Checked here, once
			// per decision: a kept one is keyed by the Host checked then.
			return c.handoff(r)
		}
		changes := s.services.changes.Load() // before the records are read
		rs, dbg, step := s.proxyDecide(c.w, r, true)
		switch step {
		case decideAnswered:
			return LoopAnswered
		case decideHandoff:
			return c.handoff(r)
		}
		s.keepDecision(c.decisions, r, fields, rs, changes)
		c.rs, c.dbg = rs, dbg
	}
	if s.timed(r) {
		c.asked = s.clock.Now()
	}
	g, pending, err := admitter.AdmitAsync(waiter.Admission{Description: c.rs.desc, QueueTimeout: c.rs.t.queue}, notify)
	if pending != 0 {
		c.pending = pending
		return LoopQueued
	}
	return c.Admitted(g, err)
}

// handoff leaves r, which the goroutine front serves from its start:
// nothing of it is kept.
func (c *LoopCall) handoff(r *http.Request) LoopStep {
	c.s.RequestDone(r.Context())
	c.reset()
	return LoopHandoff
}

// authenticatesAtOnce reports whether the caller of r is known without
// waiting: by a valid x-waiter-auth cookie (kept as the request's
// principal, so it is checked once), or because the authenticator
// answers from the request alone (LocalAuthenticator).
func (s *Server) authenticatesAtOnce(r *http.Request, ri *reqInfo) bool {
	if la, ok := s.authn.(LocalAuthenticator); ok && la.AuthenticatesLocally() {
		return true
	}
	if s.cookies == nil || hasBearerToken(r.Header) {
		return false
	}
	ck, err := r.Cookie(authCookie)
	if err != nil {
		return false
	}
	p, problem := s.cookies.open(ck.Value, ri.start)
	if problem != "" {
		return false
	}
	ri.principalValue = p
	ri.principal = &ri.principalValue
	return true
}

// LocalAuthenticator is an Authenticator that may say it decides from
// the request alone, with no wait (no key to fetch, no server to ask):
// the event-loop front then authenticates on its own goroutine.
type LocalAuthenticator interface {
	AuthenticatesLocally() bool
}

// Admitted takes the engine's answer to the admission (at once, or
// notify's for a queued request): the request is forwarded, or answered
// with the refusal.
func (c *LoopCall) Admitted(g waiter.Grant, err error) LoopStep {
	s, r := c.s, c.r
	c.pending = 0
	if err != nil {
		s.admitRefused(c.w, r, c.rs, err, c.dbg)
		return LoopAnswered
	}
	c.g, c.granted = g, true
	c.dbg.grant = &c.g
	if !c.asked.IsZero() {
		c.dbg.waited = s.clock.Since(c.asked)
	}
	s.metrics.started()
	rs := c.rs
	c.url = url.URL{Scheme: "http", Host: s.backendAddrs.get(g.Host, g.Port),
		Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	c.hdr = backendHeaders{in: r.Header, fields: c.fields, cid: c.ri.cid, user: rs.user, via: s.via(r)}
	if s.cfg.BackendAuth != nil {
		c.hdr.auth, _ = s.backendAuths.header(rs.desc.ID, s.cfg.BackendAuth)
	}
	c.dbg.proto = rs.desc.BackendProto
	return LoopForward
}

// Withdraw gives up a queued request whose client went away.
func (c *LoopCall) Withdraw() {
	if c.pending != 0 {
		c.s.router.(waiter.AsyncAdmitter).CancelAdmission(c.pending)
		c.pending = 0
	}
}

// Backend is the address of the granted instance ("host:port").
func (c *LoopCall) Backend() string { return c.url.Host }

// WarmConn is the connection a health check left open to the granted
// instance when it found it ready (Config.WarmConns), or nil: the front
// sends the request on it, before any idle connection to the instance's
// address, as on a pooled one. An atomic load when none is kept.
func (c *LoopCall) WarmConn() net.Conn {
	if c.s.fast == nil {
		return nil
	}
	return c.s.fast.warm.Take(c.url.Host)
}

// SocketTimeout bounds the wait for the instance's answer to start;
// StreamingTimeout the wait for each further piece of its body (0:
// none).
func (c *LoopCall) SocketTimeout() time.Duration {
	if c.rs.t.socket <= 0 {
		return 24 * time.Hour
	}
	return c.rs.t.socket
}
func (c *LoopCall) StreamingTimeout() time.Duration { return c.rs.t.streaming }

// Head reports whether the request is a HEAD (its answer has no body).
func (c *LoopCall) Head() bool { return c.r.Method == http.MethodHead }

// AppendRequest appends the request to the instance to dst: the client's
// method and target, its headers cleaned as the goroutine front's fast
// client sends them (backendHeaders), and no body. It notes when the
// request was sent.
func (c *LoopCall) AppendRequest(dst []byte) []byte {
	r := c.r
	dst = append(dst, r.Method...)
	dst = append(dst, ' ')
	dst = appendRequestURI(dst, &c.url)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, backendHost(r.Host, c.url.Host)...)
	dst = append(dst, "\r\n"...)
	c.reqBuf = dst
	if c.addHeader == nil {
		c.addHeader = c.appendHeader
	}
	c.hdr.each(c.addHeader)
	dst, c.reqBuf = c.reqBuf, nil
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		dst = append(dst, "Content-Length: 0\r\n"...)
	}
	dst = append(dst, "\r\n"...)
	if c.s.timed(r) {
		c.sent = c.s.clock.Now()
	}
	return dst
}

// appendHeader is AppendRequest's backendHeaders.each: a method value
// made once per call record, where a closure over dst was an allocation
// per request.
func (c *LoopCall) appendHeader(k, v string) {
	if v == "" && k == "User-Agent" {
		return // asks for no User-Agent (each), as the fast client sends none
	}
	dst := c.reqBuf
	dst = append(dst, k...)
	dst = append(dst, ": "...)
	dst = append(dst, v...)
	dst = append(dst, "\r\n"...)
	c.reqBuf = dst
}

// AnswerHeader is the map Answer takes the instance's answer's header
// in, emptied; the front fills it (values may be the front's own bytes'
// strings until Finish).
func (c *LoopCall) AnswerHeader() http.Header {
	if c.answerHdr == nil || len(c.answerHdr) > fastHeaderReuse {
		c.answerHdr = make(http.Header, 8)
	} else {
		clear(c.answerHdr)
	}
	return c.answerHdr
}

// Answer writes the head of the instance's answer (status, and header,
// AnswerHeader's map, with Content-Length when the answer has one) to
// the writer, as forward does; the front then writes the body to the
// writer, flushing after each piece of a body of unknown length.
func (c *LoopCall) Answer(status int, header http.Header) {
	if !c.sent.IsZero() {
		c.dbg.backend = c.s.clock.Since(c.sent)
	}
	c.dbg.proto = "HTTP/1.1"
	c.outcome, c.held = c.s.answerHead(c.w, c.r, c.rs, &c.g, &c.url, status, header, c.dbg)
}

// Trailer adds a trailer of the instance's answer, for the writer to send
// after the body.
func (c *LoopCall) Trailer(name, value string) {
	h := c.w.Header()
	k := http.TrailerPrefix + name
	h[k] = append(h[k], value)
}

// Failed answers the client with Waiter's error for an exchange that
// failed before the instance's answer started (classifyFailure's).
func (c *LoopCall) Failed(f LoopFailure, cause error) {
	herr := &Error{Status: http.StatusBadGateway, Message: msgBackendFailed, Cause: cause, ServiceID: c.rs.desc.ID}
	switch f {
	case LoopConnectFailed:
		herr.Message = msgConnectFailed
	case LoopBackendTimeout:
		herr.Status, herr.Message = http.StatusGatewayTimeout, msgBackendTimeout
	}
	c.outcome = engine.OutcomeInstanceError
	c.s.setDebugHeaders(c.w.Header(), c.r, c.dbg)
	c.s.writeError(c.w, c.r, herr)
	c.s.metrics.response(c.rs.desc.ID, herr.Status)
}

// Finish ends the call once its answer is written (end says how), or
// once its client went away: the grant is released with the request's
// outcome, the metrics and the access log see it (body: the bytes of the
// instance's body the front passed on, which it writes to the client
// itself), and the connection's records go back for the next request.
func (c *LoopCall) Finish(end LoopEnd, body int64) {
	s := c.s
	if c.r == nil {
		return // handed off before anything was decided
	}
	c.Withdraw()
	aborted := end != LoopComplete
	if c.granted {
		outcome := c.outcome
		switch end {
		case LoopClientGone:
			outcome = engine.OutcomeClientError
		case LoopBackendBroke:
			outcome = engine.OutcomeInstanceError
			s.log.Info("backend response broke while streaming", "cid", c.ri.cid,
				"service-id", c.rs.desc.ID, "instance", c.g.Instance)
		}
		c.granted = false // released: Abandon must not again
		s.metrics.finished(outcome)
		if !c.held {
			s.router.Release(c.g, outcome)
		}
		if !c.held && !aborted {
			keepResolved(c.r, c.rs)
		}
	}
	if s.cfg.AccessLog != nil {
		c.rec.bytes += body
		s.logAccess(c.r, c.ri, &c.rec, false, aborted)
	}
	s.RequestDone(c.r.Context())
	clear(c.answerHdr)
	c.reset()
}

// Abandon ends a call its front gives up on because the front's own code
// (or this call's) panicked while serving it, in whatever state that
// left it: the queued admission is withdrawn and the grant released, as
// the client's error (the instance is not blamed for the router's
// fault), unless Finish got as far as releasing it. Nothing else of the
// call is trusted: no answer, no access log, and the front must not use
// the call again.
func (c *LoopCall) Abandon() {
	c.Withdraw()
	if c.granted {
		c.granted = false
		c.s.metrics.finished(engine.OutcomeClientError)
		if !c.held {
			c.s.router.Release(c.g, engine.OutcomeClientError)
		}
	}
}

// ConnectTimeout bounds the connect to the instance.
func (c *LoopCall) ConnectTimeout() time.Duration { return c.s.cfg.ConnectTimeout }
