package waiterhttp

import (
	"errors"
	"net/http"

	"github.com/waiter-go/waiter"
)

// Damaged tokens. A token record that fails its checksum is never served,
// and its ETag and owner cannot be known, so the ordinary rules (If-Match,
// the owner's rights) cannot be applied to it. Only an admin may repair
// it: DELETE /token?hard-delete=true removes it, POST /token with
// update-mode=admin overwrites it; neither asks for If-Match.

// damagedTokenHint ends the message of every /token answer about a damaged
// token, saying the way out.
const damagedTokenHint = "; ask an admin to hard-delete or overwrite it"

// tokenError is toError for /token calls: a damaged token's 500 says how
// to repair it.
func tokenError(err error) *Error {
	herr := toError(err)
	if errors.Is(err, waiter.ErrCorruptRecord) {
		herr.Message += damagedTokenHint
	}
	return herr
}

// hardDeleteDamagedToken is an admin's DELETE /token?hard-delete=true of a
// token whose record is damaged.
func (s *Server) hardDeleteDamagedToken(w http.ResponseWriter, r *http.Request, name, user string) {
	_, _, err := s.store.ReplaceDamagedToken(name, nil, user, s.clock.Now())
	if errors.Is(err, waiter.ErrTokenNotFound) {
		s.writeError(w, r, &Error{Status: http.StatusNotFound, Message: "Token " + name + " does not exist", Cause: err})
		return
	}
	if err != nil {
		s.writeError(w, r, tokenError(err))
		return
	}
	s.log.Info("an admin hard-deleted a damaged token", "token", name, "user", user)
	w.Header().Set(hdrOperationResult, string(waiter.TokenDeleted))
	writeJSON(w, http.StatusOK, map[string]any{"delete": name, "hard-delete": true, "success": true})
}
