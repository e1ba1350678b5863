package waiterhttp

import (
	"net/http"
	"strings"

	"github.com/julienschmidt/httprouter"
)

// handleServiceID is GET /service-id (and the legacy /app-name): the id of
// the service the request's headers and tokens describe, as text. Like
// Waiter, it stores the description so the id can be looked up later.
func (s *Server) handleServiceID(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	rs, herr := s.resolve(r, false)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(rs.desc.ID))
}

// handleStatus is GET /status: ok, or 503 while draining.
func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "draining", "router-id": s.cfg.RouterID})
		return
	}
	m := map[string]any{"status": "ok"}
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

// handleState is GET /state: the router's own view.
func (s *Server) handleState(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	list := s.router.Services()
	sortSnapshots(list)
	ids := make([]string, 0, len(list))
	for _, snap := range list {
		ids = append(ids, snap.ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"router-id": s.cfg.RouterID, "services": ids, "driver": s.router.State()})
}

// handleServiceState is GET /state/{id}: the router's view of one service;
// an unknown id gets an empty state, as in Waiter.
func (s *Server) handleServiceState(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	id := ps.ByName("id")
	out := map[string]any{"router-id": s.cfg.RouterID, "service-id": id}
	snap, ok := s.router.Service(id)
	if !ok {
		out["state"] = map[string]any{}
		writeJSON(w, http.StatusOK, out)
		return
	}
	out["state"] = map[string]any{
		"status":          serviceStatus(snap),
		"scaling-state":   snap.ScalingState,
		"suspended":       snap.Suspended,
		"observed":        snap.Observed,
		"requested":       snap.Requested,
		"scheduled":       snap.Scheduled,
		"request-metrics": requestMetrics(snap),
		"instance-counts": instanceCounts(snap),
		"instances": map[string]any{
			"active-instances": instancesView(id, snap.Instances),
			"failed-instances": instancesView(id, snap.Failed),
			"killed-instances": instancesView(id, snap.Killed),
		},
		"deployment-error":  snap.DeploymentError,
		"last-request-time": timeOrNil(snap.LastRequestTime),
	}
	writeJSON(w, http.StatusOK, out)
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
