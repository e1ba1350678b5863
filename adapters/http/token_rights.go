package waiterhttp

import (
	"errors"
	"net/http"
	"reflect"

	"github.com/waiter-go/waiter"
)

// Token rights (Waiter's token validator over the entitlement rules,
// reference 7.3): who may write, delete and read a token in full.

// checkTokenWrite applies Waiter's rules before a token write: a valid,
// unreserved name and valid data; then either admin mode (admins only,
// If-Match for a live token, and no ownership rules: it imports tokens of
// any owner) or the ownership rules of checkTokenRights. It returns the
// owner the token will have, which the caller stores explicitly, so the
// owner checked is the owner written (a store defaults the owner of a
// soft-deleted token's next version to the writer). damaged is set when
// the token's stored record is damaged and an admin (update-mode=admin)
// overwrites it: the caller then replaces it (ReplaceDamagedToken), with
// no If-Match, since the damaged record's ETag cannot be known.
func (s *Server) checkTokenWrite(r *http.Request, user, name string, data map[string]any) (owner string, damaged bool, herr *Error) {
	if name == "" {
		return "", false, badRequest("Must provide the token")
	}
	if herr := validTokenName(name); herr != nil {
		return "", false, herr
	}
	if len(data) == 0 {
		return "", false, badRequest("No parameters provided for " + name)
	}
	if s.cls.isOwnHost(name) {
		return "", false, &Error{Status: http.StatusForbidden, Message: "Token name is reserved: " + name + " is a hostname of this router"}
	}
	admin := r.URL.Query().Get("update-mode") == "admin"
	if admin && !s.auth.IsAdmin(user) {
		return "", false, &Error{Status: http.StatusForbidden,
			Message: "Cannot administer token " + name + ": update-mode=admin is for the router's admins, and " + user + " is not one",
			Details: map[string]any{"user": user}}
	}
	if herr := s.validateTokenData(data, admin); herr != nil {
		return "", false, herr
	}
	// A soft-deleted token still has its owner: nobody else may take the
	// name over by writing it again.
	cur, err := s.store.GetToken(name, true)
	if admin && errors.Is(err, waiter.ErrCorruptRecord) {
		return tokenOwner(user, data, nil), true, nil
	}
	if err != nil && !errors.Is(err, waiter.ErrTokenNotFound) {
		return "", false, tokenError(err)
	}
	var existing map[string]any
	if err == nil {
		existing = cur.Data
	}
	owner = tokenOwner(user, data, existing)
	if admin {
		if existing != nil && !cur.Deleted && ifMatch(r) == "" {
			return "", false, badRequest("Must specify if-match header for admin mode token updates")
		}
		return owner, false, nil
	}
	return owner, false, s.checkTokenRights(user, name, owner, data, existing)
}

// tokenOwner is the owner a write gives a token: the one it names, else
// the current owner, else the writer.
func tokenOwner(user string, data, existing map[string]any) string {
	if owner, _ := data["owner"].(string); owner != "" {
		return owner
	}
	if owner, _ := existing["owner"].(string); owner != "" {
		return owner
	}
	return user
}

// checkTokenRights is Waiter's ownership rule for a write by user:
//   - a new token's owner (default the writer) must be someone the writer
//     may act as: only admins create tokens for others;
//   - an existing token may be written by its owner (or an admin), who may
//     also hand it to another owner, or by its editor, who may change
//     anything but owner, editor and run-as-user;
//   - a concrete run-as-user must be one the writer (unless an editor, who
//     cannot change it) and the owner may run as; "*" runs as each
//     requester and needs no right.
func (s *Server) checkTokenRights(user, name, owner string, data, existing map[string]any) *Error {
	curOwner, _ := existing["owner"].(string)
	editing := false
	switch {
	case existing == nil:
		if !s.auth.CanRunAs(user, owner) {
			return &Error{Status: http.StatusForbidden,
				Message: "Cannot create token " + name + " as owner " + owner + ": only admins create tokens owned by someone else",
				Details: map[string]any{"user": user, "owner": owner}}
		}
	case s.auth.CanManage(user, curOwner) || s.auth.IsAdmin(user):
	default:
		editor, _ := existing["editor"].(string)
		if editor == "" || !s.auth.CanRunAs(user, editor) {
			return &Error{Status: http.StatusForbidden,
				Message: "User " + user + " not allowed to edit token " + name + ": only its owner (" + curOwner + "), its editor or an admin may",
				Details: map[string]any{"user": user, "owner": curOwner, "editor": editor}}
		}
		editing = true
		for _, k := range []string{"owner", "editor", "run-as-user"} {
			was, had := existing[k]
			now, has := data[k]
			if k == "owner" && !has {
				continue // the store keeps the current owner
			}
			if had != has || !reflect.DeepEqual(was, now) {
				return &Error{Status: http.StatusForbidden,
					Message: "Not allowed to edit parameter " + k + " of token " + name + ": an editor may not change owner, editor or run-as-user",
					Details: map[string]any{"user": user, "parameter": k}}
			}
		}
	}
	runAs, _ := data["run-as-user"].(string)
	if runAs == "" || runAs == "*" {
		return nil
	}
	if !editing && !s.auth.CanRunAs(user, runAs) {
		return &Error{Status: http.StatusForbidden,
			Message: "Cannot run as user: " + runAs + " (authenticated user " + user + " may not run as " + runAs + ")",
			Details: map[string]any{"user": user, "run-as-user": runAs}}
	}
	if !s.auth.CanRunAs(owner, runAs) {
		return &Error{Status: http.StatusForbidden,
			Message: "Cannot run as user: " + runAs + " (token owner " + owner + " may not run as " + runAs + ")",
			Details: map[string]any{"owner": owner, "run-as-user": runAs}}
	}
	return nil
}
