package fakemarathon

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/waiter-go/waiter/sim/marathon"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

func readBody(r *http.Request) ([]byte, *apiError) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, badRequest("Invalid JSON: %v", err)
	}
	if len(b) > maxBody {
		return nil, badRequest("Request body larger than %d bytes", maxBody)
	}
	return b, nil
}

// flag reads a boolean query parameter ("true" or "false").
func flag(r *http.Request, name string) bool { return r.URL.Query().Get(name) == "true" }

// listApps is GET /v2/apps: counts and deployments always, other embeds
// on request, filtered by id and cmd (substrings) and label selectors.
func (s *Server) listApps(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	e := embedsOf(r, "apps.", embeds{counts: true, deployments: true})
	var out []map[string]any
	s.locked(func(time.Duration) {
		out = []map[string]any{}
		for _, id := range s.model.AppIDs() {
			m := s.apps[id]
			if v := q.Get("id"); v != "" && !strings.Contains("/"+id, v) {
				continue
			}
			if v := q.Get("cmd"); v != "" && (m.def.Cmd == nil || !strings.Contains(*m.def.Cmd, v)) {
				continue
			}
			if v := q.Get("label"); v != "" && !matchLabels(m.def.Labels, v) {
				continue
			}
			out = append(out, s.appJSON(m, s.model.App(id), e))
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"apps": out})
}

// matchLabels applies a label selector: "k", "k==v" or "k!=v", comma-separated.
func matchLabels(labels map[string]string, sel string) bool {
	for _, term := range strings.Split(sel, ",") {
		term = strings.TrimSpace(term)
		if k, v, ok := strings.Cut(term, "!="); ok {
			if labels[strings.TrimSpace(k)] == strings.TrimSpace(v) {
				return false
			}
			continue
		}
		if k, v, ok := strings.Cut(term, "=="); ok {
			if got, has := labels[strings.TrimSpace(k)]; !has || got != strings.TrimSpace(v) {
				return false
			}
			continue
		}
		if _, has := labels[term]; !has {
			return false
		}
	}
	return true
}

// createApp is POST /v2/apps: 201 with the app, its deployment running.
func (s *Server) createApp(w http.ResponseWriter, r *http.Request) {
	b, e := readBody(r)
	if e != nil {
		writeError(w, e)
		return
	}
	body, err := decodeObject(b)
	if err != nil {
		writeError(w, err.(*apiError))
		return
	}
	def, err := merge(defaultDef(), body)
	if err != nil {
		writeError(w, asAPIError(err))
		return
	}
	var out map[string]any
	var depID string
	s.locked(func(now time.Duration) {
		if e = s.create(now, &def); e == nil {
			id := appID(def.ID)
			a := s.model.App(id)
			depID = a.Deployment
			out = s.appJSON(s.apps[id], a, embeds{counts: true, deployments: true, tasks: true})
		}
	})
	if e != nil {
		writeError(w, e)
		return
	}
	w.Header().Set("Location", "/v2/apps/"+appID(def.ID))
	w.Header().Set("Marathon-Deployment-Id", depID)
	writeJSON(w, http.StatusCreated, out)
}

// create validates def and creates its app. s.mu held.
func (s *Server) create(now time.Duration, def *appDef) *apiError {
	if d := s.validate(def); len(d) > 0 {
		return invalid(d)
	}
	id := appID(def.ID)
	def.ID = "/" + id
	if s.apps[id] != nil {
		return &apiError{status: http.StatusConflict, msg: "An app with id [/" + id + "] already exists."}
	}
	s.assignServicePorts(def)
	version := s.nextVersion()
	a, err := s.model.CreateApp(now, s.spec(def, stamp(version)))
	if err != nil {
		return asAPIError(err)
	}
	m := &appMeta{}
	m.record(*def, version, s.model.Now(), true)
	s.apps[id] = m
	s.noteDeployment(a, version, -1, "StartApplication", "ScaleApplication")
	return nil
}

// getApp is GET /v2/apps/{id}: counts, tasks, lastTaskFailure and
// deployments always (Marathon's defaults for one app).
func (s *Server) getApp(w http.ResponseWriter, r *http.Request, id string) {
	e := embedsOf(r, "app.", embeds{counts: true, deployments: true, tasks: true, lastFailure: true})
	var out map[string]any
	s.locked(func(time.Duration) {
		if m := s.apps[id]; m != nil {
			out = s.appJSON(m, s.model.App(id), e)
		}
	})
	if out == nil {
		writeError(w, appNotFound(id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"app": out})
}

// putApp is PUT /v2/apps/{id}: a partial update (fields not sent keep
// their value), a scale when only instances change, a restart otherwise,
// a rollback when the body is just a version, and a create when the app
// does not exist. A running deployment refuses it (409) unless force.
func (s *Server) putApp(w http.ResponseWriter, r *http.Request, id string) {
	b, e := readBody(r)
	if e != nil {
		writeError(w, e)
		return
	}
	body, err := decodeObject(b)
	if err != nil {
		writeError(w, err.(*apiError))
		return
	}
	force := flag(r, "force")
	status := http.StatusOK
	var depID string
	var version time.Time
	s.locked(func(now time.Duration) {
		m := s.apps[id]
		var def appDef
		if v, ok := body["version"]; ok && string(v) != "null" {
			for k := range body {
				if k != "id" && k != "version" {
					e = invalid([]detail{{Path: "/", Errors: []string{"The 'version' field may only be combined with the 'id' field."}}})
					return
				}
			}
			if def, e = s.versionOf(id, v); e != nil {
				return
			}
		} else {
			base := defaultDef()
			if m != nil {
				base = m.def
			}
			if def, err = merge(base, body); err != nil {
				e = asAPIError(err)
				return
			}
		}
		def.ID = "/" + id
		if m == nil {
			if e = s.create(now, &def); e == nil {
				status, depID, version = http.StatusCreated, s.model.App(id).Deployment, s.apps[id].version
			}
			return
		}
		if d := s.validate(&def); len(d) > 0 {
			e = invalid(d)
			return
		}
		s.assignServicePorts(&def)
		a := s.model.App(id)
		original := a.Instances
		version = s.nextVersion()
		scale := sameButInstances(m.def, def)
		if scale {
			err = s.model.ScaleApp(now, id, def.Instances, force)
		} else {
			sp := s.spec(&def, stamp(version))
			err = s.model.RestartApp(now, id, &sp, force)
		}
		if err != nil {
			e = asAPIError(err, a.Deployment)
			return
		}
		if a.Deployment != "" {
			s.cancelPrevious(id, a.Deployment)
		}
		m.record(def, version, s.model.Now(), !scale)
		action := "RestartApplication"
		if scale {
			action = "ScaleApplication"
		}
		s.noteDeployment(a, version, original, action)
		depID = a.Deployment
	})
	if e != nil {
		writeError(w, e)
		return
	}
	deploymentResult(w, status, depID, version)
}

// cancelPrevious marks the deployments of app id other than current as
// ended by force. s.mu held.
func (s *Server) cancelPrevious(id, current string) {
	for dep, d := range s.deployments {
		if d.app == id && dep != current {
			s.canceled[dep] = true
		}
	}
}

// deleteApp is DELETE /v2/apps/{id}; force defaults to true, as in Marathon.
func (s *Server) deleteApp(w http.ResponseWriter, r *http.Request, id string) {
	force := r.URL.Query().Get("force") != "false"
	var e *apiError
	var version time.Time
	s.locked(func(now time.Duration) {
		a := s.model.App(id)
		switch {
		case a == nil:
			e = appNotFound(id)
		case a.Deployment != "" && !force:
			e = locked(a.Deployment)
		default:
			if a.Deployment != "" {
				s.canceled[a.Deployment] = true
			}
			_ = s.model.DeleteApp(now, id) // it exists: cannot fail
			delete(s.apps, id)
			version = s.nextVersion()
		}
	})
	if e != nil {
		writeError(w, e)
		return
	}
	deploymentResult(w, http.StatusOK, newUUID(), version)
}

// restartApp is POST /v2/apps/{id}/restart.
func (s *Server) restartApp(w http.ResponseWriter, r *http.Request, id string) {
	var e *apiError
	var depID string
	var version time.Time
	s.locked(func(now time.Duration) {
		a, m := s.model.App(id), s.apps[id]
		if a == nil {
			e = appNotFound(id)
			return
		}
		version = s.nextVersion()
		sp := s.spec(&m.def, stamp(version))
		if err := s.model.RestartApp(now, id, &sp, flag(r, "force")); err != nil {
			e = asAPIError(err, a.Deployment)
			return
		}
		m.record(m.def, version, s.model.Now(), true)
		s.noteDeployment(a, version, a.Instances, "RestartApplication")
		depID = a.Deployment
	})
	if e != nil {
		writeError(w, e)
		return
	}
	deploymentResult(w, http.StatusOK, depID, version)
}

// asAPIError maps the model's errors to Marathon's answers; deployment
// names the lock of an ErrLocked.
func asAPIError(err error, deployment ...string) *apiError {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, marathon.ErrLocked):
		return locked(deployment...)
	case errors.Is(err, marathon.ErrAppNotFound):
		return &apiError{status: http.StatusNotFound, msg: err.Error()}
	case errors.Is(err, marathon.ErrTaskNotFound):
		return &apiError{status: http.StatusNotFound, msg: err.Error()}
	case errors.Is(err, marathon.ErrAppExists):
		return &apiError{status: http.StatusConflict, msg: err.Error()}
	}
	return invalid([]detail{{Path: "/", Errors: []string{err.Error()}}})
}
