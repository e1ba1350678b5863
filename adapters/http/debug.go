package waiterhttp

import (
	"net/http"
	"strconv"
	"time"

	"github.com/waiter-go/waiter"
)

// debugInfo is what x-waiter-debug reveals about a proxied request
// (reference 1.9, wrap-debug in core.clj). Fields that are not known yet
// (no instance was granted) are left out.
type debugInfo struct {
	rs      *resolved
	grant   *waiter.Grant
	waited  time.Duration // time to get an instance
	backend time.Duration // time until the backend's response started
	proto   string        // the protocol spoken to the backend
}

// timed reports whether a proxied request's timings (queue wait, backend
// response) are wanted: by its debug headers or the access log. Other
// requests skip the clock reads that measure them.
func (s *Server) timed(r *http.Request) bool {
	if s.cfg.AccessLog != nil {
		return true
	}
	ri, ok := r.Context().Value(infoKey{}).(*reqInfo)
	return ok && ri.debug
}

// setDebugHeaders adds the debug headers when the client asked for them.
func (s *Server) setDebugHeaders(h http.Header, r *http.Request, d debugInfo) {
	ri := info(r)
	if s.cfg.AccessLog != nil {
		ri.note(d) // every proxy answer passes here: the access log's source
	}
	if !ri.debug {
		return
	}
	h.Set("x-waiter-router-id", s.cfg.RouterID)
	h.Set("x-waiter-request-date", ri.start.UTC().Format(http.TimeFormat))
	h.Set("x-waiter-client-protocol", r.Proto)
	if rs := d.rs; rs != nil {
		h.Set("x-waiter-service-id", rs.desc.ID)
		h.Set("x-waiter-queue-timeout-ms", strconv.FormatInt(rs.t.queue.Milliseconds(), 10))
		h.Set("x-waiter-socket-timeout-ms", strconv.FormatInt(rs.t.socket.Milliseconds(), 10))
		h.Set("x-waiter-streaming-timeout-ms", strconv.FormatInt(rs.t.streaming.Milliseconds(), 10))
		h.Set("x-waiter-backend-proto", rs.desc.BackendProto)
	}
	if g := d.grant; g != nil {
		h.Set("x-waiter-backend-id", g.Instance)
		h.Set("x-waiter-backend-host", g.Host)
		h.Set("x-waiter-backend-port", strconv.Itoa(g.Port))
		h.Set("x-waiter-request-id", strconv.FormatUint(uint64(g.Request), 10))
		h.Set("x-waiter-get-available-instance-ns", strconv.FormatInt(d.waited.Nanoseconds(), 10))
	}
	if d.backend > 0 {
		h.Set("x-waiter-backend-response-ns", strconv.FormatInt(d.backend.Nanoseconds(), 10))
	}
	if d.proto != "" {
		h.Set("x-waiter-internal-protocol", d.proto)
	}
	if p := ri.principal; p != nil {
		// Again after the backend's headers were copied over them.
		setAuthHeaders(h, *p)
	}
}
