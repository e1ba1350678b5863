package waiterhttp

// Simple is Waiter's simple entitlement manager with a configured list of
// admins: every user may act as, and manage what belongs to, itself; an
// admin may also act as and manage everyone (Waiter's own simple manager
// grants admins only the :admin action; here admins also maintain others'
// services and tokens, which is what a router's operator needs).
type Simple struct {
	// Admins are the users with every right; Waiter's default is the OS
	// user running the router.
	Admins map[string]bool
}

// NewSimple builds the rule with admins as its administrators; empty
// names are ignored.
func NewSimple(admins ...string) Simple {
	s := Simple{Admins: make(map[string]bool, len(admins))}
	for _, a := range admins {
		if a != "" {
			s.Admins[a] = true
		}
	}
	return s
}

// CanRunAs allows running as oneself (the empty run-as-user means the
// requester), and admins to run as anyone.
func (s Simple) CanRunAs(user, runAs string) bool {
	return user != "" && (runAs == "" || runAs == user || s.IsAdmin(user))
}

// CanManage allows managing what oneself owns, and admins to manage
// anything. What nobody owns belongs to the admins only: an empty owner
// must not be a wildcard.
func (s Simple) CanManage(user, owner string) bool {
	return user != "" && ((owner != "" && owner == user) || s.IsAdmin(user))
}

// IsAdmin reports whether user is one of the configured admins.
func (s Simple) IsAdmin(user string) bool { return user != "" && s.Admins[user] }
