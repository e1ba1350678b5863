package fakemarathon

import (
	"encoding/json"
	"net/http"
	"time"
)

// versionOf returns app id's definition at version v (a JSON string).
// s.mu held.
func (s *Server) versionOf(id string, v json.RawMessage) (appDef, *apiError) {
	var str string
	if err := json.Unmarshal(v, &str); err != nil {
		return appDef{}, invalid([]detail{{Path: "/version", Errors: []string{"error.expected.jsstring"}}})
	}
	at, err := time.Parse(time.RFC3339Nano, str)
	if err != nil {
		return appDef{}, invalid([]detail{{Path: "/version", Errors: []string{"Invalid format: \"" + str + "\""}}})
	}
	m := s.apps[id]
	if m == nil {
		return appDef{}, appNotFound(id)
	}
	for _, ver := range m.versions {
		if ver.at.Equal(at) {
			return ver.def, nil
		}
	}
	return appDef{}, notFound("App '/%s' does not exist in version %s", id, str)
}

// appVersions is GET /v2/apps/{id}/versions, newest first.
func (s *Server) appVersions(w http.ResponseWriter, _ *http.Request, id string) {
	var out []string
	s.locked(func(time.Duration) {
		if m := s.apps[id]; m != nil {
			out = []string{}
			for i := len(m.versions) - 1; i >= 0; i-- {
				out = append(out, stamp(m.versions[i].at))
			}
		}
	})
	if out == nil {
		writeError(w, appNotFound(id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": out})
}

// appVersion is GET /v2/apps/{id}/versions/{version}: the bare definition.
func (s *Server) appVersion(w http.ResponseWriter, _ *http.Request, id, v string) {
	var out map[string]any
	var e *apiError
	s.locked(func(time.Duration) {
		raw, _ := json.Marshal(v)
		var def appDef
		if def, e = s.versionOf(id, raw); e != nil {
			if e.status == http.StatusUnprocessableEntity {
				e = invalid([]detail{{Path: "/", Errors: []string{"Invalid format: \"" + v + "\""}}})
			}
			return
		}
		out = defJSON(def)
		out["version"] = v
	})
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
