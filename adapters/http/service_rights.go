package waiterhttp

import (
	"errors"
	"net/http"
	"strings"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Service rights: who may maintain a service (delete it, override,
// suspend or resume it, kill its instances) and see its secrets. Waiter's
// manage-service? allows the service's run-as-user; this router also
// allows the owner of a token that reached the service (the user who
// described it) and the admins.

// runAsOf is the user a service runs as, also for a stored description
// that no longer validates (lookupService keeps only its parameters).
func runAsOf(d *engine.Description) string {
	if d == nil {
		return ""
	}
	if d.RunAsUser != "" {
		return d.RunAsUser
	}
	runAs, _ := d.Core["run-as-user"].(string)
	return runAs
}

// tokenOwners returns the owners of the tokens that reached a service, as
// this router saw them (serviceCache.addSources) or the store kept them
// (persistSources, read back after a restart). A soft-deleted token still
// names its owner; a token gone or unreadable names nobody, so it grants
// nothing.
func (s *Server) tokenOwners(id string) []string {
	var owners []string
	refs, err := s.services.sources(id)
	if err != nil {
		s.log.Warn("reading a service's source tokens for their owners", "service-id", id, "error", err)
	}
	for _, ref := range refs {
		t, err := s.store.GetToken(ref.Token, true)
		if err != nil {
			if !errors.Is(err, waiter.ErrTokenNotFound) {
				s.log.Warn("reading a service's source token for its owner", "service-id", id, "token", ref.Token, "error", err)
			}
			continue
		}
		if owner, _ := t.Data["owner"].(string); owner != "" {
			owners = append(owners, owner)
		}
	}
	return owners
}

// mayManageService reports whether user may maintain the service and see
// its secrets.
func (s *Server) mayManageService(user string, snap waiter.ServiceSnapshot) bool {
	if s.auth.IsAdmin(user) || s.auth.CanManage(user, runAsOf(snap.Description)) {
		return true
	}
	for _, owner := range s.tokenOwners(snap.ID) {
		if s.auth.CanManage(user, owner) {
			return true
		}
	}
	return false
}

// checkManage authenticates the caller and checks it may maintain the
// service; 404 for a service neither the router nor the store knows.
func (s *Server) checkManage(r *http.Request, id string) *Error {
	p, herr := s.caller(r)
	if herr != nil {
		return herr
	}
	snap, herr := s.lookupService(id)
	if herr != nil {
		return herr
	}
	if s.mayManageService(p.User, snap) {
		return nil
	}
	runAs := runAsOf(snap.Description)
	owners := s.tokenOwners(id)
	who := "its run-as-user (" + runAs + ")"
	if len(owners) > 0 {
		who += ", the owner of a token that reaches it (" + strings.Join(owners, ", ") + ")"
	}
	return &Error{Status: http.StatusForbidden, ServiceID: id,
		Message: "User " + p.User + " not allowed to manage service " + id + ": only " + who + " or an admin may",
		Details: map[string]any{"user": p.User, "run-as-user": runAs, "token-owners": nonNil(owners)}}
}
