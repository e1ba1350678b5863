package waiterhttp

import (
	"net/http"
	"sort"

	"github.com/julienschmidt/httprouter"
)

// handleProfiles is GET /profiles: the configured profiles with the
// defaults each sets (Waiter's display-profiles-handler), by name.
func (s *Server) handleProfiles(w http.ResponseWriter, _ *http.Request, _ httprouter.Params) {
	names := make([]string, 0, len(s.cfg.Description.Profiles))
	for name := range s.cfg.Description.Profiles {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]map[string]any, 0, len(names))
	for _, name := range names {
		defaults := map[string]any(s.cfg.Description.Profiles[name])
		if defaults == nil {
			defaults = map[string]any{}
		}
		out = append(out, map[string]any{"name": name, "defaults": defaults})
	}
	writeJSON(w, http.StatusOK, out)
}
