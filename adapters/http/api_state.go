package waiterhttp

import (
	"net/http"

	"github.com/julienschmidt/httprouter"
)

// handleState is GET /state: the router's own view.
func (s *Server) handleState(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	list := s.router.Services()
	sortSnapshots(list)
	ids := make([]string, 0, len(list))
	for _, snap := range list {
		ids = append(ids, snap.ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"router-id": s.cfg.RouterID, "services": ids, "driver": s.router.State(),
		"async": s.asyncState()})
}

// handleServiceState is GET /state/{id}: the router's view of one service,
// with the autoscaler's and the responder's state as Waiter names them; an
// unknown id gets an empty state, as in Waiter.
func (s *Server) handleServiceState(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	id := ps.ByName("id")
	if id == "router-metrics" { // no service id looks like this (the prefix)
		s.handleRouterMetricsState(w, r)
		return
	}
	out := map[string]any{"router-id": s.cfg.RouterID, "service-id": id}
	snap, ok := s.router.Service(id)
	if !ok {
		out["state"] = map[string]any{}
		writeJSON(w, http.StatusOK, out)
		return
	}
	out["state"] = serviceStateView(snap)
	writeJSON(w, http.StatusOK, out)
}

// asyncState counts the async requests on /state: those holding an
// instance, and those remembered after completion for their result URLs.
func (s *Server) asyncState() map[string]int {
	live, retained := s.asyncs.counts()
	return map[string]int{"in-progress": live, "retained": retained}
}
