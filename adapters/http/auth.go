package waiterhttp

import (
	"net/http"

	"github.com/waiter-go/waiter/engine"
)

// SingleUser is Waiter's one-user authenticator: every request acts as
// User, the OS user running the router. It is the default because `waiter
// serve` on one machine runs every service as that user anyway.
type SingleUser struct {
	User string
}

// Authenticate returns the configured user for every request.
func (s SingleUser) Authenticate(*http.Request) (string, error) { return s.User, nil }

// CanRunAs allows running as oneself only (the empty run-as-user means the
// requester).
func (s SingleUser) CanRunAs(user, runAs string) bool { return runAs == "" || runAs == user }

// CanManage allows managing what oneself owns, and what nobody owns.
func (s SingleUser) CanManage(user, owner string) bool { return owner == "" || owner == user }

// IsAdmin is true: the single user administers its own router.
func (s SingleUser) IsAdmin(string) bool { return true }

// Waiter's authorization messages (descriptor.clj).
const (
	msgCannotRunAs  = "Authenticated user cannot run service"
	msgNotPermitted = "This user isn't allowed to invoke this service"
)

// authorize applies Waiter's two checks to a resolved description: the
// requester may run as its run-as-user (skipped for pre-authorized token
// services), and is its permitted-user ("*" is anyone).
func authorize(a Auth, user string, d *engine.Description, preAuthorized bool) *Error {
	if !preAuthorized && !a.CanRunAs(user, d.RunAsUser) {
		return &Error{Status: http.StatusForbidden, Message: msgCannotRunAs, ServiceID: d.ID,
			Details: map[string]any{"user": user, "run-as-user": d.RunAsUser}}
	}
	if p := d.PermittedUser; p != "" && p != "*" && p != user {
		return &Error{Status: http.StatusForbidden, Message: msgNotPermitted, ServiceID: d.ID,
			Details: map[string]any{"user": user, "permitted-user": p}}
	}
	return nil
}
