package waiterhttp

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/waiter-go/waiter"
)

// proxied is what the access log needs to know about a proxied request,
// noted by setDebugHeaders at each point the proxy answers.
type proxied struct {
	serviceID string
	name      string
	version   string
	tokens    []string
	grant     *waiter.Grant
	waited    time.Duration // time to get an instance (queue time)
	backend   time.Duration // time until the backend's response started
	proto     string
}

// note remembers d for the access log.
func (ri *reqInfo) note(d debugInfo) {
	p := proxied{waited: d.waited, backend: d.backend, proto: d.proto}
	if rs := d.rs; rs != nil {
		p.serviceID = rs.desc.ID
		p.name, _ = rs.desc.Core["name"].(string)
		p.version, _ = rs.desc.Core["version"].(string)
		for _, t := range rs.tokens {
			p.tokens = append(p.tokens, t.Name)
		}
	}
	if d.grant != nil {
		g := *d.grant
		p.grant = &g
	}
	ri.proxied = &p
}

// statusRecorder remembers the status and size of a response for the
// access log. Unwrap lets http.ResponseController reach the connection
// (flush, deadlines, full duplex) through it.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logAccess writes one access-log entry with Waiter's request-log keys
// (request_log.clj): who asked what, which service and instance served
// it, how long it queued and how long it took.
func (s *Server) logAccess(r *http.Request, ri *reqInfo, w *statusRecorder, api, aborted bool) {
	status := w.status
	if status == 0 {
		status = http.StatusOK // what net/http sends for a handler that wrote nothing
	}
	attrs := []slog.Attr{
		slog.String("cid", ri.cid),
		slog.String("method", r.Method),
		slog.String("host", r.Host),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("handle-request-latency-ns", s.clock.Since(ri.start).Nanoseconds()),
		slog.Int64("response-content-length", w.bytes),
		slog.String("remote-addr", r.RemoteAddr),
		slog.String("client-protocol", r.Proto),
		slog.Bool("waiter-api", api),
	}
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, slog.String("user-agent", ua))
	}
	if p := ri.principal; p != nil {
		attrs = append(attrs, slog.String("principal", p.User), slog.String("authentication-method", p.Method))
	}
	if p := ri.proxied; p != nil {
		if p.serviceID != "" {
			attrs = append(attrs, slog.String("service-id", p.serviceID))
		}
		if p.name != "" {
			attrs = append(attrs, slog.String("service-name", p.name))
		}
		if p.version != "" {
			attrs = append(attrs, slog.String("service-version", p.version))
		}
		if len(p.tokens) > 0 {
			attrs = append(attrs, slog.Any("token", p.tokens))
		}
		if g := p.grant; g != nil {
			attrs = append(attrs, slog.String("instance-id", g.Instance), slog.String("instance-host", g.Host),
				slog.Int("instance-port", g.Port), slog.Int64("get-instance-latency-ns", p.waited.Nanoseconds()))
		}
		if p.backend > 0 {
			attrs = append(attrs, slog.Int64("backend-response-latency-ns", p.backend.Nanoseconds()))
		}
		if p.proto != "" {
			attrs = append(attrs, slog.String("backend-protocol", p.proto))
		}
	}
	if op := w.Header().Get("x-waiter-operation-result"); op != "" {
		attrs = append(attrs, slog.String("operation-result", op))
	}
	if aborted {
		attrs = append(attrs, slog.Bool("aborted", true))
	} else if r.Context().Err() != nil {
		attrs = append(attrs, slog.Bool("canceled", true))
	}
	s.cfg.AccessLog.LogAttrs(context.Background(), slog.LevelInfo, "request", attrs...)
}
