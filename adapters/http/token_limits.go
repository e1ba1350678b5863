package waiterhttp

import (
	"net/http"

	"github.com/waiter-go/waiter"
)

// msgTokenLimit is Waiter's refusal when an owner has too many tokens
// (store-service-description-for-token in token.clj).
const msgTokenLimit = "You have reached the limit of number of tokens allowed. " +
	"Please delete at least one of your existing tokens to create this token."

// checkTokenLimit applies Waiter's :token-config :limit-per-owner to a
// write that gives token name the owner owner: 403 when the owner already
// has the limit of live tokens besides this one. Updating one of them is
// not one more token; soft-deleted tokens do not count; admin-mode writes
// (Waiter's token syncer) are not limited.
func (s *Server) checkTokenLimit(r *http.Request, owner, name string) *Error {
	limit := s.cfg.MaxTokensPerOwner
	if limit < 0 || r.URL.Query().Get("update-mode") == "admin" {
		return nil
	}
	owned, err := s.store.ListTokens(waiter.TokenFilter{Owners: []string{owner}})
	if err != nil {
		return toError(err)
	}
	others := 0
	for _, t := range owned {
		if t.Name != name {
			others++
		}
	}
	if others < limit {
		return nil
	}
	return &Error{Status: http.StatusForbidden, Message: msgTokenLimit,
		Details: map[string]any{"allowed-owned-tokens": limit, "num-owned-tokens": len(owned), "owner": owner}}
}
