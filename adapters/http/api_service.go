package waiterhttp

import (
	"net/http"
	"sort"
	"strings"

	"github.com/julienschmidt/httprouter"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// handleGetOverride is GET /apps/{id}/override.
func (s *Server) handleGetOverride(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	id := ps.ByName("id")
	if _, herr := s.lookupService(id); herr != nil {
		s.writeError(w, r, herr)
		return
	}
	ov, err := s.services.overrides(id)
	if err != nil {
		s.writeError(w, r, toError(err))
		return
	}
	writeJSON(w, http.StatusOK, changeView(ov, map[string]any{"service-id": id, "overrides": nonNilMap(ov.Overrides)}))
}

// handlePostOverride is POST /apps/{id}/override: the body replaces the
// service's overrides. Only overridable parameters are accepted; the
// overridden description must still validate. The id never changes.
func (s *Server) handlePostOverride(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	id := ps.ByName("id")
	base, user, herr := s.manageableBase(r, id)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	body, herr := readJSONObject(r)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	var invalid []string
	for k := range body {
		if !engine.IsOverridable(k) {
			invalid = append(invalid, k)
		}
	}
	if len(invalid) > 0 {
		sort.Strings(invalid)
		s.writeError(w, r, &Error{Status: http.StatusBadRequest, ServiceID: id,
			Message: "Unsupported override key(s): " + strings.Join(invalid, ", "),
			Details: map[string]any{"unsupported-keys": invalid}})
		return
	}
	nd, err := base.WithOverrides(engine.NormalizeParams(body), s.cfg.Description)
	if err != nil {
		herr := toError(err)
		herr.ServiceID = id
		s.writeError(w, r, herr)
		return
	}
	now := s.clock.Now()
	if err := s.store.PutOverride(id, body, user, now); err != nil {
		s.writeError(w, r, toError(err))
		return
	}
	s.services.setOverrides(id, waiter.Change{Overrides: body, User: user, Time: now})
	s.router.Override(nd)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "service-id": id, "overrides": body})
}

// handleDeleteOverride is DELETE /apps/{id}/override.
func (s *Server) handleDeleteOverride(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	id := ps.ByName("id")
	base, user, herr := s.manageableBase(r, id)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	if err := s.store.DeleteOverride(id); err != nil {
		s.writeError(w, r, toError(err))
		return
	}
	s.services.setOverrides(id, waiter.Change{User: user, Time: s.clock.Now()})
	s.router.Override(base)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "service-id": id})
}

// manageableBase checks the caller may manage the service and returns its
// description without overrides.
func (s *Server) manageableBase(r *http.Request, id string) (*engine.Description, string, *Error) {
	if herr := s.checkManage(r, id); herr != nil {
		return nil, "", herr
	}
	p, _ := s.caller(r)
	user := p.User
	snap, herr := s.lookupService(id)
	if herr != nil {
		return nil, "", herr
	}
	base, err := engine.NewDescription(snap.Description.Core.Clone(), s.cfg.Description)
	if err != nil {
		return nil, "", toError(err)
	}
	base.ID = id
	return base, user, nil
}

// handleSuspend is /apps/{id}/suspend and /apps/{id}/resume.
func (s *Server) handleSuspend(suspend bool) httprouter.Handle {
	action := "resume"
	if suspend {
		action = "suspend"
	}
	return func(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
		id := ps.ByName("id")
		if herr := s.checkManage(r, id); herr != nil {
			s.writeError(w, r, herr)
			return
		}
		p, _ := s.caller(r)
		user := p.User
		now := s.clock.Now()
		if err := s.store.SetSuspended(id, suspend, user, now); err != nil {
			s.writeError(w, r, toError(err))
			return
		}
		s.services.setSuspension(id, waiter.Change{Suspended: suspend, User: user, Time: now})
		s.router.Suspend(id, suspend)
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "service-id": id, "action": action})
	}
}

// handleKillInstance is POST /apps/{id}/instance/{iid}/kill.
func (s *Server) handleKillInstance(w http.ResponseWriter, r *http.Request, ps httprouter.Params) {
	id, iid := ps.ByName("id"), ps.ByName("iid")
	if herr := s.checkManage(r, id); herr != nil {
		s.writeError(w, r, herr)
		return
	}
	if err := s.router.KillInstance(r.Context(), id, iid); err != nil {
		herr := toError(err)
		herr.ServiceID = id
		s.writeError(w, r, herr)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "service-id": id, "instance-id": iid, "signal": "kill"})
}
