package waiterhttp

import (
	"net/http"
	"time"
)

// Principal is who sent a request: the user the router acts for and the
// method that proved it (Waiter's x-waiter-auth-user and
// x-waiter-auth-method debug headers).
type Principal struct {
	User   string
	Method string
	// Expires, when set, is when the credential that proved the
	// principal stops being valid (a JWT's exp, a Kerberos ticket's end):
	// the x-waiter-auth cookie the router sets never outlives it.
	Expires time.Time
}

// Authenticator identifies the sender of a request (reference 1.2 step 4).
// An error means 401; an *AuthError says which challenges to offer in
// www-authenticate.
type Authenticator interface {
	Authenticate(r *http.Request) (Principal, error)
}

// Entitlements answers the permission questions Waiter's entitlement
// manager answers (reference 1.2 step 5 and 7.3) for an authenticated user.
type Entitlements interface {
	// CanRunAs reports whether user may start services, or own tokens,
	// as runAs.
	CanRunAs(user, runAs string) bool
	// CanManage reports whether user may manage what owner owns: delete,
	// override or suspend its services, edit its tokens.
	CanManage(user, owner string) bool
	// IsAdmin reports whether user may administer tokens (hard delete,
	// update-mode=admin) and everything else of every user.
	IsAdmin(user string) bool
}
