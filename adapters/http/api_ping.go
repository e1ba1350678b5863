package waiterhttp

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/julienschmidt/httprouter"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Ping results (make-health-check-request in process_request.clj).
const (
	pingReceived = "received-response"
	pingTimedOut = "timed-out"
	pingWaiter   = "waiter-response"
)

// maxPingBody bounds how much of a health check's body a ping reports.
const maxPingBody = 64 << 10

// handlePing is /waiter-ping: start the service if needed and health-check
// one instance through the normal reservation path, as a priority request
// that jumps the queue (reference 5.2). Fallback is off unless
// include=fallback; the overall time limit is x-waiter-timeout.
func (s *Server) handlePing(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	q := r.URL.Query()
	rs, herr := s.resolve(r, includes(q["include"])["fallback"])
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	limit := s.cfg.PingTimeout
	if rs.headers.Request.SocketTimeout > 0 {
		limit = rs.headers.Request.SocketTimeout
	}
	ctx, cancel := s.clock.WithTimeout(r.Context(), limit)
	defer cancel()

	ping := s.ping(ctx, r, rs)
	out := map[string]any{"ping-response": ping, "service-description": rs.desc.Core}
	if !includes(q["exclude"])["service-state"] {
		snap, known := s.router.Service(rs.desc.ID)
		state := map[string]any{"service-id": rs.desc.ID, "exists?": known, "healthy?": known && snap.Healthy() > 0,
			"status": statusInactive}
		if known {
			state["status"] = serviceStatus(snap)
		}
		out["service-state"] = state
	}
	writeJSON(w, http.StatusOK, out)
}

// ping reserves an instance and sends it a GET for the health-check URL.
func (s *Server) ping(ctx context.Context, r *http.Request, rs *resolved) map[string]any {
	waiterResponse := func(e *Error) map[string]any {
		return map[string]any{"result": pingWaiter, "status": e.Status, "body": e.Message, "headers": map[string]string{}}
	}
	if sus, err := s.services.suspension(rs.desc.ID); err == nil && sus.Suspended {
		return waiterResponse(&Error{Status: http.StatusServiceUnavailable, Message: engine.MsgSuspended})
	}
	if herr := s.storeBeforeStart(rs.desc); herr != nil {
		return waiterResponse(herr)
	}
	s.persistSources(rs.desc.ID, rs.sources)
	g, err := s.router.Admit(ctx, waiter.Admission{Description: rs.desc, QueueTimeout: rs.t.queue, Priority: true})
	if err != nil {
		if ctx.Err() != nil {
			return map[string]any{"result": pingTimedOut}
		}
		return waiterResponse(toError(err))
	}
	released := false
	defer s.releaseOnPanic(&g, &released, false)
	resp, outcome, perr := s.healthCheck(ctx, r, rs, g)
	released = true
	s.router.Release(g, outcome)
	instance := map[string]any{"id": g.Instance, "host": g.Host, "port": g.Port}
	if perr != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return map[string]any{"result": pingTimedOut, "instance": instance}
		}
		e := classifyPingFailure(perr)
		return map[string]any{"result": pingWaiter, "status": e.Status, "body": e.Message,
			"headers": map[string]string{}, "instance": instance}
	}
	return map[string]any{"result": pingReceived, "status": resp.status, "body": resp.body,
		"headers": resp.headers, "instance": instance}
}

type pingResponse struct {
	status  int
	body    string
	headers map[string]string
}

// healthCheck does the GET and reads (a bounded part of) the answer.
func (s *Server) healthCheck(ctx context.Context, r *http.Request, rs *resolved, g waiter.Grant) (pingResponse, engine.Outcome, error) {
	target := &url.URL{Scheme: schemeOf(rs.desc.BackendProto), Host: net.JoinHostPort(g.Host, strconv.Itoa(g.Port))}
	target.Path, target.RawQuery, _ = strings.Cut(rs.desc.HealthCheckURL, "?")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return pingResponse{}, engine.OutcomeClientError, err
	}
	req.Header.Set(hdrCID, info(r).cid)
	req.Header.Set("x-waiter-request-type", "health-check")
	req.Header.Set("User-Agent", "waiter-ping")
	if s.cfg.BackendAuth != nil {
		if user, pass, ok := s.cfg.BackendAuth(rs.desc.ID); ok {
			req.SetBasicAuth(user, pass)
		}
	}
	resp, err := s.transports.forProto(rs.desc.BackendProto).RoundTrip(req)
	if err != nil {
		if ctx.Err() != nil {
			return pingResponse{}, engine.OutcomeClientError, err
		}
		return pingResponse{}, engine.OutcomeInstanceError, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPingBody))
	if err != nil && ctx.Err() == nil {
		return pingResponse{}, engine.OutcomeInstanceError, err
	}
	headers := map[string]string{}
	for k := range resp.Header {
		headers[k] = resp.Header.Get(k)
	}
	outcome := engine.OutcomeSuccess
	if resp.StatusCode == http.StatusServiceUnavailable {
		outcome = engine.OutcomeInstanceBusy
	}
	return pingResponse{status: resp.StatusCode, body: string(body), headers: headers}, outcome, nil
}

func classifyPingFailure(err error) *Error {
	if isDialError(err) {
		return &Error{Status: http.StatusBadGateway, Message: msgConnectFailed, Cause: err}
	}
	return &Error{Status: http.StatusBadGateway, Message: msgBackendFailed, Cause: err}
}
