package waiterhttp

import (
	"errors"
	"github.com/waiter-go/waiter"
	"net/http"
	"strings"

	"github.com/julienschmidt/httprouter"
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

// AuthenticatesLocally: OneUser answers without a wait (LocalAuthenticator).
func (OneUser) AuthenticatesLocally() bool { return true }

// AuthError is an authentication failure (the domain's type): its
// Challenges are the www-authenticate values the 401 offers.
type AuthError = waiter.AuthError

// publicPaths are the API calls anyone may make without authenticating
// (Waiter's handlers that are not wrapped in wrap-secure-request-fn): the
// welcome page, the router's liveness and its metrics.
var publicPaths = map[string]bool{"/": true, "/status": true, "/metrics": true, "/favicon.ico": true}

// caller authenticates r once and remembers the answer for the rest of
// the request; a failure is Waiter's 401 with the authenticator's
// challenges.
func (s *Server) caller(r *http.Request) (Principal, *Error) {
	ri := info(r)
	if ri.principal != nil {
		return *ri.principal, nil
	}
	p, herr := s.authenticate(r, ri)
	if herr != nil {
		return Principal{}, herr
	}
	ri.principalValue = p
	ri.principal = &ri.principalValue // in ri: no allocation of its own
	if ri.debug && ri.header != nil {
		setAuthHeaders(ri.header, p)
	}
	return p, nil
}

// authenticate is Waiter's auth chain (authentication-method-wrapper-fn):
// a valid x-waiter-auth cookie stands for the client unless the request
// carries a bearer token, which is always checked; otherwise the
// authenticator decides, and a success is remembered in a new cookie.
func (s *Server) authenticate(r *http.Request, ri *reqInfo) (Principal, *Error) {
	now := ri.start // the request's arrival, read once for all its checks
	if now.IsZero() {
		now = s.clock.Now()
	}
	bearer := hasBearerToken(r.Header)
	cookieProblem := ""
	if s.cookies != nil && !bearer {
		if c, err := r.Cookie(authCookie); err == nil {
			p, problem := s.cookies.open(c.Value, now)
			if problem == "" {
				return p, nil
			}
			cookieProblem = "the x-waiter-auth cookie " + problem
		}
	}
	p, err := s.authn.Authenticate(r)
	if err != nil {
		herr := &Error{Status: http.StatusUnauthorized, Message: "Unauthorized", Cause: err}
		var ae *AuthError
		if errors.As(err, &ae) {
			herr.Challenges = ae.Challenges
			if ae.Reason != "" {
				herr.Message += ": " + ae.Reason
			}
		}
		if cookieProblem != "" {
			herr.Message += " (" + cookieProblem + ")"
		}
		return Principal{}, herr
	}
	if s.cookies != nil && ri.header != nil {
		s.cookies.set(ri.header, r, p, now)
	}
	return p, nil
}

// hasBearerToken reports an Authorization entry "Bearer a.b.c" (Waiter's
// access-token?): such a request is judged by its token, never by a
// cookie.
func hasBearerToken(h http.Header) bool {
	for _, v := range h.Values("Authorization") {
		for _, entry := range strings.Split(v, ",") {
			entry = strings.TrimSpace(entry)
			if len(entry) > 7 && strings.EqualFold(entry[:7], "bearer ") && strings.Count(entry, ".") == 2 {
				return true
			}
		}
	}
	return false
}

// setAuthHeaders adds Waiter's x-waiter-auth-* headers: who the router
// acts for and how it knows (attach-authorization-headers).
func setAuthHeaders(h http.Header, p Principal) {
	h.Set("x-waiter-auth-method", p.Method)
	h.Set("x-waiter-auth-principal", p.User)
	h.Set("x-waiter-auth-user", p.User)
}

// handleWaiterAuth is GET /waiter-auth: it authenticates (setting the
// cookie on a fresh login) and answers with the user's name and the auth
// headers, so a browser or script can log in once and reuse the cookie.
func (s *Server) handleWaiterAuth(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	p, herr := s.caller(r)
	if herr != nil {
		s.writeError(w, r, herr)
		return
	}
	setAuthHeaders(w.Header(), p)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(p.User))
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
