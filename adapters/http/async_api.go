package waiterhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"github.com/julienschmidt/httprouter"
)

// The /waiter-async routes (async-status-handler, async-result-handler,
// complete-async-handler in handler.clj). Unlike Waiter, which proxies to
// whatever host and port the URL names, the router only follows async
// requests it started itself, for the user who made them: the URL must
// name a request id it knows, with that request's service, host and port,
// so the routes cannot be used to reach arbitrary addresses.

// findAsync checks an async route's parameters against the request it
// names and the caller's right to follow it.
func (s *Server) findAsync(r *http.Request, ps httprouter.Params) (*asyncRequest, *Error) {
	p, herr := s.caller(r)
	if herr != nil {
		return nil, herr
	}
	id, sid := ps.ByName("rid"), ps.ByName("sid")
	a := s.asyncs.lookup(id, s.clock.Now())
	if a == nil || a.ref.ServiceID != sid {
		return nil, &Error{Status: http.StatusGone, ServiceID: sid,
			Message: "No async request " + id + " of this service is known to this router (it ended long ago, or another router started it)"}
	}
	if ps.ByName("host") != "" && (ps.ByName("host") != a.ref.Host || ps.ByName("port") != strconv.Itoa(a.ref.Port)) {
		return nil, &Error{Status: http.StatusBadRequest, ServiceID: sid,
			Message: "The host and port of async request " + id + " do not match the instance that serves it"}
	}
	if a.user != "" && p.User != a.user && !s.auth.CanManage(p.User, a.user) {
		return nil, &Error{Status: http.StatusForbidden, ServiceID: sid,
			Message: p.User + " may not follow async request " + id + " of " + a.user}
	}
	return a, nil
}

// handleAsyncStatus proxies a status call (GET, or DELETE to cancel) to
// the instance, ends the async request when the answer says it is over,
// and points a 303 to a result on the instance at the router's result URL.
func (s *Server) handleAsyncStatus(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	a, herr := s.findAsync(r, ps)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	proto := ps.ByName("proto") // set by a v2 URL
	endpoint := a.endpointIn(proto, ps.ByName("location"), r.URL.RawQuery)
	resp, herr := s.asyncRoundTrip(r, a, proto, endpoint)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	defer resp.Body.Close()
	if statusEndsAsync(r.Method, endpoint, resp.StatusCode, resp.Header) {
		a.terminate()
	}
	h := w.Header()
	copyResponseHeaders(h, resp.Header)
	if r.Method == http.MethodGet && resp.StatusCode == http.StatusSeeOther {
		if loc := normalizeLocation(endpoint, resp.Header.Get("Location")); len(loc) > 0 && loc[0] == '/' {
			h.Set("Location", asyncActionURI("result", a.ref, proto, loc, ""))
		}
	}
	s.relayAsyncResponse(w, r, resp)
}

// handleAsyncResult proxies a result call (any method) to the instance and
// ends the async request: the client has what it waited for.
func (s *Server) handleAsyncResult(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	a, herr := s.findAsync(r, ps)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	proto := ps.ByName("proto") // set by a v2 URL
	resp, herr := s.asyncRoundTrip(r, a, proto, a.endpointIn(proto, ps.ByName("location"), r.URL.RawQuery))
	a.terminate()
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	defer resp.Body.Close()
	copyResponseHeaders(w.Header(), resp.Header)
	s.relayAsyncResponse(w, r, resp)
}

// handleAsyncComplete ends an async request without asking its instance
// (Waiter's inter-router /waiter-async/complete).
func (s *Server) handleAsyncComplete(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	a, herr := s.findAsync(r, ps)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	a.terminate()
	writeJSON(w, http.StatusOK, map[string]any{"request-id": a.ref.RequestID, "success": true})
}

// asyncRoundTrip sends the client's call to the instance: same method,
// passthrough headers and body, at the instance's location, in proto (""
// for the service's backend-proto).
func (s *Server) asyncRoundTrip(r *http.Request, a *asyncRequest, proto string, endpoint *url.URL) (*http.Response, *Error) {
	ctx, cancel := context.WithCancelCause(r.Context())
	socket := newWatchdog(s.clock, cancel, errBackendTimeout)
	socket.arm(a.socket)
	out, err := http.NewRequestWithContext(ctx, r.Method, endpoint.String(), r.Body)
	if err != nil {
		cancel(nil)
		return nil, &Error{Status: http.StatusBadRequest, ServiceID: a.ref.ServiceID, Message: "Invalid async location", Cause: err}
	}
	out.ContentLength = r.ContentLength
	if r.ContentLength == 0 {
		out.Body = nil
	}
	out.Header = backendRequestHeaders(r.Header, info(r).cid, a.user, viaValue(r, s.cfg.Version))
	out.Host = a.ref.Host
	s.backendAuth(out, a.ref.ServiceID)
	resp, err := s.transports.forProto(a.protoOr(proto)).RoundTrip(out)
	socket.disable()
	if err != nil {
		defer cancel(nil)
		msg, status := msgBackendFailed, http.StatusBadGateway
		switch {
		case errors.Is(context.Cause(ctx), errBackendTimeout):
			msg, status = msgBackendTimeout, http.StatusGatewayTimeout
		case isDialError(err):
			msg = msgConnectFailed
		}
		return nil, &Error{Status: status, ServiceID: a.ref.ServiceID, Message: msg, Cause: err}
	}
	resp.Body = cancelOnClose{ReadCloser: resp.Body, cancel: func() { cancel(nil) }}
	return resp, nil
}

// cancelOnClose ends a response's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel func()
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// relayAsyncResponse passes an instance's answer on to the client.
func (s *Server) relayAsyncResponse(w http.ResponseWriter, r *http.Request, resp *http.Response) {
	appendVia(w.Header(), viaValue(r, s.cfg.Version))
	w.WriteHeader(resp.StatusCode)
	if _, err := io.Copy(w, resp.Body); err != nil {
		s.log.Info("async: relaying the instance's answer failed", "cid", info(r).cid, "error", fmt.Errorf("copy: %w", err))
	}
}
