package waiterhttp

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/julienschmidt/httprouter"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// handleListApps is GET /apps: every service the router knows, filtered,
// with env values hidden from those who may not maintain the service
// (filters see only what the caller sees, so env.X=... cannot probe a
// hidden value).
func (s *Server) handleListApps(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	p, herr := s.caller(r)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	q := r.URL.Query()
	include := appIncludes(q)
	match, herr := appFilter(q)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	list := s.router.Services()
	sortSnapshots(list)
	out := make([]map[string]any, 0, len(list))
	for _, snap := range list {
		snap = s.visibleSnapshot(p.User, snap)
		if match(snap, s.sourcesOf(snap.ID)) {
			out = append(out, s.appSummary(snap, include))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// lookupService returns what the router knows of a service or, for a
// service it is not running, what the store remembers or, for one never
// started, the description a request resolved to (status Inactive).
func (s *Server) lookupService(id string) (waiter.ServiceSnapshot, *Error) {
	if snap, ok := s.router.Service(id); ok {
		return snap, nil
	}
	core, err := s.store.GetServiceDescription(id)
	if errors.Is(err, waiter.ErrServiceNotFound) {
		resolved, ok := s.services.resolvedCore(id)
		if !ok {
			return waiter.ServiceSnapshot{}, &Error{Status: http.StatusNotFound, Message: "Service not found", ServiceID: id}
		}
		core, err = resolved.Clone(), nil
	}
	if err != nil {
		return waiter.ServiceSnapshot{}, toError(err)
	}
	desc, derr := engine.NewDescription(engine.NormalizeParams(core), s.cfg.Description)
	if derr != nil {
		// A description stored by an older build that no longer validates:
		// show it as stored rather than hide the service.
		desc = &engine.Description{ID: id, Core: engine.NormalizeParams(core)}
		desc.SetEffective(engine.NormalizeParams(core))
	}
	desc.ID = id
	return waiter.ServiceSnapshot{ID: id, Description: desc, Status: statusInactive, ScalingState: "stable"}, nil
}

// handleGetApp is GET /apps/{id}, with env values hidden from those who
// may not maintain the service.
func (s *Server) handleGetApp(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	p, herr := s.caller(r)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	id := ps.ByName("id")
	snap, herr := s.lookupService(id)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	snap = s.visibleSnapshot(p.User, snap)
	ov, err := s.services.overrides(id)
	if err != nil {
		s.writeError(w, r, toError(err))
		return
	}
	sus, err := s.services.suspension(id)
	if err != nil {
		s.writeError(w, r, toError(err))
		return
	}
	inc := appIncludes(r.URL.Query())
	det := s.appDetails(snap, ov, sus, inc)
	if inc["metrics"] {
		metrics := s.clusterMetrics(r.Context(), snap)
		det["metrics"], det["num-routers"] = metrics, len(metrics["routers"].(map[string]any))
	}
	if s.cfg.InstanceFiles != nil && s.mayManageService(p.User, snap) {
		addLogURLs(det) // api_logs.go
	}
	writeJSON(w, http.StatusOK, det)
}

// handleDeleteApp is DELETE /apps/{id}: stop the service and all its
// instances. A service the router is not running is 404, so a second
// delete says so.
func (s *Server) handleDeleteApp(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	id := ps.ByName("id")
	timeoutMS := 0
	if t := r.URL.Query().Get("timeout"); t != "" {
		var err error
		if timeoutMS, err = strconv.Atoi(t); err != nil {
			s.writeError(w, r, badRequest("timeout must be an integer number of milliseconds"))
			return
		}
	}
	if herr := s.checkManage(r, id); herr != nil && herr.Status != http.StatusNotFound {
		s.writeError(w, r, herr)
		return
	}
	if !s.router.DeleteService(id) {
		writeJSON(w, http.StatusNotFound, map[string]any{"success": false, "service-id": id, "result": "no-such-service-exists"})
		return
	}
	out := map[string]any{"success": true, "service-id": id, "result": "deleted"}
	if timeoutMS > 0 {
		// Waiter's routers-agree: the answer waits until no router knows it.
		agree, why := s.awaitDeleted(r.Context(), id, time.Duration(timeoutMS)*time.Millisecond)
		out["routers-agree"] = agree
		if why != "" {
			out["message"] = why
		}
	}
	writeJSON(w, http.StatusOK, out)
}
