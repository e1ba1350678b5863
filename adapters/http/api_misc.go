package waiterhttp

import (
	"net/http"
	"strings"

	"github.com/julienschmidt/httprouter"
	"github.com/waiter-go/waiter"
)

// handleServiceID is GET /service-id (and the legacy /app-name): the id of
// the service the request's headers and tokens describe, as text. It names
// the service a request would reach: during a token's fallback period that
// is the previous healthy service (Waiter resolves it with the same
// descriptor; x-waiter-fallback-period-secs: 0 asks for the newest).
// Unlike Waiter it stores nothing: a description is stored when a
// request starts its service, and ever new headers cannot grow the store;
// /apps/{id} still finds the id meanwhile through the service cache.
func (s *Server) handleServiceID(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	rs, herr := s.resolve(r, true)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(rs.desc.ID))
}

// handleStatus is GET /status: ok, or 503 while draining. The store's own
// condition is shown under "store" when the Store reports it; a degraded
// store (damaged records, a full or read-only disk) still answers 200,
// because the router goes on serving everything else.
func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "draining", "router-id": s.cfg.RouterID})
		return
	}
	m := map[string]any{"status": "ok"}
	if hr, ok := s.store.(waiter.HealthReporter); ok {
		m["store"] = storeHealthView(hr.StoreHealth())
	}
	for part := range includes(r.URL.Query()["include"]) {
		switch part {
		case "request-info":
			m["request-info"] = map[string]any{"method": r.Method, "uri": r.URL.RequestURI(), "host": r.Host,
				"cid": info(r).cid, "protocol": r.Proto}
		case "server-info":
			m["server-info"] = map[string]any{"router-id": s.cfg.RouterID, "version": s.cfg.Version}
		}
	}
	writeJSON(w, http.StatusOK, m)
}

// storeHealthView renders a store's health for /status.
func storeHealthView(h waiter.StoreHealth) map[string]any {
	v := map[string]any{"status": h.Status, "corrupt-records": len(h.CorruptRecords)}
	if len(h.CorruptRecords) > 0 {
		v["corrupt"] = h.CorruptRecords
	}
	if h.ReadOnly {
		v["read-only"] = true
	}
	if h.WriteFailure != "" {
		v["write-failure"] = h.WriteFailure
	}
	return v
}

// handleSettings is GET /settings: the router's effective configuration.
func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	writeJSON(w, http.StatusOK, map[string]any{
		"router-id": s.cfg.RouterID, "hostnames": s.cfg.Hostnames, "version": s.cfg.Version,
		"service-prefix": s.cfg.Description.ServicePrefix, "service-description-defaults": nonNilMap(s.cfg.Description.Defaults),
		"profiles": s.cfg.Description.Profiles,
		"instance-request-properties": map[string]any{
			"initial-socket-timeout-ms": s.cfg.SocketTimeout.Milliseconds(),
			"streaming-timeout-ms":      s.cfg.StreamingTimeout.Milliseconds(),
			"connection-timeout-ms":     s.cfg.ConnectTimeout.Milliseconds(),
			"queue-timeout-ms":          s.cfg.QueueTimeout.Milliseconds(),
		},
		"config": s.cfg.Settings,
	})
}

// handleWelcome is GET /.
func (s *Server) handleWelcome(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	msg := "Welcome to Waiter"
	if strings.Contains(r.Header.Get("Accept"), ctJSON) {
		writeJSON(w, http.StatusOK, map[string]any{"message": msg})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(msg + "\n"))
}
