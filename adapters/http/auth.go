package waiterhttp

import (
	"errors"
	"net/http"

	"github.com/waiter-go/waiter/engine"
)

// OneUser is Waiter's one-user authenticator (its dev mode): every request
// acts as User, the OS user running the router.
type OneUser struct {
	User string
}

// Authenticate returns the configured user for every request.
func (o OneUser) Authenticate(*http.Request) (Principal, error) {
	return Principal{User: o.User, Method: "one-user"}, nil
}

// AuthError is an authentication failure; Challenges are the
// www-authenticate values to offer (for example `Negotiate` or
// `Bearer realm="waiter"`).
type AuthError struct {
	Reason     string
	Challenges []string
	Err        error
}

func (e *AuthError) Error() string {
	if e.Err != nil {
		return e.Reason + ": " + e.Err.Error()
	}
	return e.Reason
}

func (e *AuthError) Unwrap() error { return e.Err }

// caller authenticates r once and remembers the answer for the rest of
// the request; a failure is Waiter's 401 with the authenticator's
// challenges.
func (s *Server) caller(r *http.Request) (Principal, *Error) {
	ri := info(r)
	if ri.principal != nil {
		return *ri.principal, nil
	}
	p, err := s.authn.Authenticate(r)
	if err != nil {
		herr := &Error{Status: http.StatusUnauthorized, Message: "Unauthorized", Cause: err}
		var ae *AuthError
		if errors.As(err, &ae) {
			herr.Challenges = ae.Challenges
		}
		return Principal{}, herr
	}
	ri.principal = &p
	return p, nil
}

// Waiter's authorization messages (descriptor.clj).
const (
	msgCannotRunAs  = "Authenticated user cannot run service"
	msgNotPermitted = "This user isn't allowed to invoke this service"
)

// authorize applies Waiter's two checks to a resolved description: the
// requester may run as its run-as-user (skipped for pre-authorized token
// services), and is its permitted-user ("*" is anyone).
func authorize(a Entitlements, user string, d *engine.Description, preAuthorized bool) *Error {
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
