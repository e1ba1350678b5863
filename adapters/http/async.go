package waiterhttp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Waiter's async requests (async_request.clj): a backend that answers 202
// with a relative Location keeps working after the response, so the
// router keeps its instance reserved (the grant is not released), polls
// the status URL every check interval, and releases the instance when the
// status says the work is done, gone or canceled, when the client fetches
// the result or deletes the request, or when the async request timeout
// passes. The client sees a Location on the router instead
// (/waiter-async/status/...), which the router proxies to the instance.

// Defaults of the async settings (instance-request-properties).
const (
	defaultAsyncCheckInterval  = 3 * time.Second
	defaultAsyncRequestTimeout = 60 * time.Second
	// asyncRetention is how long a completed async request stays known,
	// so that its status and result URLs still reach the instance (the
	// result is usually fetched after the status says done).
	asyncRetention = 15 * time.Minute
	// maxRetainedAsync bounds the completed async requests remembered;
	// the oldest are forgotten first. Live ones are bounded by the
	// instances' slots, since each holds one.
	maxRetainedAsync = 10000
)

// asyncRequest is one async request this router started.
type asyncRequest struct {
	ref      asyncRef
	user     string // who made it: only they (or who may manage them) may follow it
	proto    string // backend-proto of the service
	grant    waiter.Grant
	location string // status path on the instance
	query    string
	cid      string
	socket   time.Duration // bound on each status check

	exit     chan struct{} // closed to end the monitor (result fetched, deleted, gone)
	exitOnce sync.Once

	// Guarded by asyncTracker.mu.
	done   bool
	doneAt time.Time
}

// asyncTracker holds the router's async requests by request id.
type asyncTracker struct {
	mu       sync.Mutex
	byID     map[string]*asyncRequest
	finished []*asyncRequest // completed, oldest first
	ctx      context.Context // ended by StopAsync: monitors and their checks stop
	cancel   context.CancelFunc
	stopped  bool
	wg       sync.WaitGroup // running monitors
	// armed counts the monitors' timers started, so tests on a mock
	// clock know when a monitor waits for its next check.
	armed atomic.Int64
}

func newAsyncTracker() *asyncTracker {
	ctx, cancel := context.WithCancel(context.Background())
	return &asyncTracker{byID: map[string]*asyncRequest{}, ctx: ctx, cancel: cancel}
}

// newAsyncID is a request id no client can guess: the status and result
// URLs are the only handle on an async request.
func newAsyncID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// startAsync takes over g for an async request whose instance answered
// 202 with a relative location, starts its monitor and returns the
// Location the client gets. ok is false when the router is stopping: the
// 202 is then passed on as is and the grant released as usual.
func (s *Server) startAsync(r *http.Request, rs *resolved, g *waiter.Grant, location, query string) (string, bool) {
	a := &asyncRequest{
		ref: asyncRef{RequestID: newAsyncID(), RouterID: s.cfg.RouterID, ServiceID: rs.desc.ID,
			Host: g.Host, Port: g.Port},
		user: rs.user, proto: rs.desc.BackendProto, grant: *g, query: query, socket: rs.t.socket, exit: make(chan struct{}),
		// The cid and the instance's Location are cut from shared arenas
		// (internal/strarena); an async request lives for minutes, and a
		// copy keeps no chunk of other requests' strings alive meanwhile.
		location: strings.Clone(location), cid: strings.Clone(info(r).cid),
	}
	timeout, interval := s.cfg.AsyncRequestTimeout, s.cfg.AsyncCheckInterval
	if rs.headers.Request.AsyncRequestTimeout > 0 {
		timeout = rs.headers.Request.AsyncRequestTimeout
	}
	if rs.headers.Request.AsyncCheckInterval > 0 {
		interval = rs.headers.Request.AsyncCheckInterval
	}
	interval = asyncCheckInterval(timeout, interval)
	t := s.asyncs
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return "", false
	}
	t.byID[a.ref.RequestID] = a
	t.wg.Add(1)
	t.mu.Unlock()
	s.log.Info("async request started", "cid", a.cid, "service-id", a.ref.ServiceID, "instance", g.Instance,
		"request-id", a.ref.RequestID, "location", location, "check-interval", interval.String(), "timeout", timeout.String())
	go s.monitorAsync(a, interval, timeout)
	// The instance is spoken to in the backend-proto (no scheduler here
	// has per-port protocols), so the URL is v1, as Waiter's would be.
	return asyncActionURI("status", a.ref, asyncURLProto(a.proto, a.proto), location, query), true
}

// lookupAsync finds a known async request, forgetting those retained too long.
func (t *asyncTracker) lookup(id string, now time.Time) *asyncRequest {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prune(now)
	return t.byID[id]
}

// prune forgets completed requests past their retention, and the oldest
// beyond the bound. Callers hold mu.
func (t *asyncTracker) prune(now time.Time) {
	n := 0
	for n < len(t.finished) && (len(t.finished)-n > maxRetainedAsync || now.Sub(t.finished[n].doneAt) > asyncRetention) {
		delete(t.byID, t.finished[n].ref.RequestID)
		n++
	}
	if n > 0 {
		t.finished = append(t.finished[:0:0], t.finished[n:]...)
	}
}

// counts reports the async requests still holding an instance, and those
// remembered after completion.
func (t *asyncTracker) counts() (live, retained int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byID) - len(t.finished), len(t.finished)
}

// completeAsync releases an async request's instance once, with outcome.
func (s *Server) completeAsync(a *asyncRequest, outcome engine.Outcome, why string) {
	t := s.asyncs
	t.mu.Lock()
	if a.done {
		t.mu.Unlock()
		return
	}
	a.done, a.doneAt = true, s.clock.Now()
	t.finished = append(t.finished, a)
	t.prune(a.doneAt)
	t.mu.Unlock()
	s.log.Info("async request completed, releasing its instance", "cid", a.cid, "service-id", a.ref.ServiceID,
		"instance", a.grant.Instance, "request-id", a.ref.RequestID, "why", why, "outcome", outcome.String())
	s.router.Release(a.grant, outcome)
}

// terminate ends an async request's monitor, which then releases it.
func (a *asyncRequest) terminate() { a.exitOnce.Do(func() { close(a.exit) }) }

// monitorAsync polls the instance's status URL every interval until the
// request completes or timeout passes (monitor-async-request).
func (s *Server) monitorAsync(a *asyncRequest, interval, timeout time.Duration) {
	defer s.asyncs.wg.Done()
	// The monitor is a goroutine of its own: a panic of the router's code
	// in it (a status check) would end the process. It releases the
	// instance instead, as a client error (the instance is not blamed),
	// as the request fronts do (releaseOnPanic).
	defer func() {
		if v := recover(); v != nil {
			s.countPanic(v)
			s.log.Error("async monitor panicked; releasing its instance", "cid", a.cid, "request-id", a.ref.RequestID,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			s.completeAsync(a, engine.OutcomeClientError, "monitor panicked")
		}
	}()
	endpoint := a.endpoint(a.location, a.query)
	for ttl := timeout; ; ttl -= interval {
		if ttl <= 0 {
			s.completeAsync(a, engine.OutcomeSuccess, "async request timeout")
			return
		}
		timer := s.clock.Timer(min(interval, ttl))
		s.asyncs.armed.Add(1)
		select {
		case <-a.exit:
			timer.Stop()
			s.completeAsync(a, engine.OutcomeSuccess, "terminated")
			return
		case <-s.asyncs.ctx.Done():
			timer.Stop()
			s.completeAsync(a, engine.OutcomeSuccess, "router stopping")
			return
		case <-timer.C:
		}
		status, h, err := s.checkAsync(a, endpoint)
		switch {
		case err != nil:
			if s.asyncs.ctx.Err() != nil {
				s.completeAsync(a, engine.OutcomeSuccess, "router stopping")
				return
			}
			s.log.Info("async status check failed", "cid", a.cid, "request-id", a.ref.RequestID, "error", err)
			s.completeAsync(a, engine.OutcomeInstanceError, "status check failed")
			return
		case classifyAsyncStatus(endpoint, status, h) == asyncCompleted:
			s.completeAsync(a, engine.OutcomeSuccess, "status "+strconv.Itoa(status))
			return
		}
	}
}

// endpoint is the instance URL of a path and query of this request.
func (a *asyncRequest) endpoint(path, query string) *url.URL { return a.endpointIn("", path, query) }

// endpointIn is endpoint spoken to in proto (a v2 URL's), or in the
// service's backend-proto when proto is "".
func (a *asyncRequest) endpointIn(proto, path, query string) *url.URL {
	proto = a.protoOr(proto)
	return &url.URL{Scheme: schemeOf(proto), Host: net.JoinHostPort(a.ref.Host, strconv.Itoa(a.ref.Port)),
		Path: path, RawQuery: query}
}

// protoOr is proto, or the service's backend-proto when proto is "".
func (a *asyncRequest) protoOr(proto string) string {
	if proto == "" {
		return a.proto
	}
	return proto
}

// checkAsync makes one status check: GET the status location on the
// instance, as the router itself (Waiter's make-async-status-get-request).
func (s *Server) checkAsync(a *asyncRequest, endpoint *url.URL) (int, http.Header, error) {
	ctx, cancel := context.WithCancelCause(s.asyncs.ctx)
	defer cancel(nil)
	socket := newWatchdog(s.clock, cancel, errBackendTimeout)
	socket.arm(a.socket)
	defer socket.disable()
	req := &http.Request{Method: http.MethodGet, URL: endpoint, Host: endpoint.Host,
		Header: http.Header{hdrCID: {a.cid + "|status-check"}, "User-Agent": {"waiter-async-status-check"}}}
	s.backendAuth(req, a.ref.ServiceID)
	resp, err := s.transports.forProto(a.proto).RoundTrip(req.WithContext(ctx))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	// The answer is a status line; a body is read a little so the
	// connection can be reused, never without bound.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, resp.Header, nil
}

// StopAsync ends every async request's monitor and releases its instance;
// `waiter serve` calls it on shutdown, before the driver stops.
func (s *Server) StopAsync() {
	t := s.asyncs
	t.mu.Lock()
	t.stopped = true
	t.cancel()
	t.mu.Unlock()
	t.wg.Wait()
}
