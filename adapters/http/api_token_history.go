package waiterhttp

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/julienschmidt/httprouter"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// defaultTokenHistoryLength is how many versions /token-history lists
// unless length says otherwise (get-comprehensive-history).
const defaultTokenHistoryLength = 10

// handleTokenHistory is Waiter's GET /token-history?token=<name>[&length=n]
// (get-comprehensive-history, descriptor->comprehensive-history): the
// services a token has described, newest first, one entry per version of
// the token (the current one, then its history), each the service
// description the token alone resolves to for the caller, its service id,
// the component that changed ("token") and when (the version's
// last-update-time). An earlier version that no longer makes a valid
// service is left out, as Waiter's previous-descriptor walk skips it; a
// token that does not exist (or is deleted) is 404. Env values are hidden
// from those who may not read the token, as in GET /token.
func (s *Server) handleTokenHistory(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	p, herr := s.caller(r)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	name := s.tokenName(r)
	if name == "" {
		s.writeError(w, r, badRequest("Must provide the token"))
		return
	}
	if herr := checkTokenLookup(name); herr != nil {
		s.writeError(w, r, herr)
		return
	}
	length := defaultTokenHistoryLength
	if v := r.URL.Query().Get("length"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.writeError(w, r, badRequest("length must be a positive integer (got "+strconv.Quote(v)+")"))
			return
		}
		length = n
	}
	cur, err := s.store.GetToken(name, false)
	if errors.Is(err, waiter.ErrTokenNotFound) {
		s.writeError(w, r, &Error{Status: http.StatusNotFound, Message: "Token not found: " + name, Cause: err})
		return
	}
	if err != nil {
		s.writeError(w, r, tokenError(err))
		return
	}
	hist, err := s.store.TokenHistory(name)
	if err != nil {
		// A history that cannot be read is the store's failure, not an
		// empty history: answering with the current version alone would
		// pass for the whole story.
		s.writeError(w, r, tokenError(err))
		return
	}
	versions := append([]waiter.Token{cur}, hist...)
	mask := func(m map[string]any) map[string]any { return m }
	if !s.mayReadToken(p.User, cur.Data) {
		mask = maskEnv
	}
	noHeaders, _ := engine.ParseHeaders(nil)
	out := []map[string]any{}
	for i, v := range versions {
		if len(out) == length {
			break
		}
		if v.Deleted {
			continue
		}
		desc, herr := s.describe(noHeaders, []tokenParts{splitToken(v)}, p.User)
		if herr != nil {
			if i == 0 {
				// The current version must describe a service, as
				// compute-descriptor's validation demands.
				s.writeError(w, r, herr)
				return
			}
			continue
		}
		out = append(out, map[string]any{
			"service-description": mask(desc.Core),
			"service-id":          desc.ID,
			"source-component":    "token",
			"update-time":         updateTime(v).UTC().Format(waiterTimeFormat),
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// waiterTimeFormat is Joda's ISO 8601 :date-time in UTC, as Waiter's
// JSON writes a DateTime (du/date-to-str).
const waiterTimeFormat = "2006-01-02T15:04:05.000Z07:00"
