package waiterhttp

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// SchemeAuthenticator is an Authenticator that reads one Authorization
// scheme ("Bearer", "Negotiate"): a Composite routes requests to it by
// that scheme.
type SchemeAuthenticator interface {
	Authenticator
	Scheme() string
}

// Composite offers several authenticators at once, as Waiter layers its
// JWT authenticator over Kerberos: the scheme of the request's
// Authorization header picks the member that checks it, and a request
// with no credentials any member reads gets a 401 offering every
// member's challenge, in the members' order.
type Composite struct {
	members []SchemeAuthenticator
}

// NewComposite combines members; each must read a different scheme.
func NewComposite(members ...SchemeAuthenticator) (*Composite, error) {
	if len(members) == 0 {
		return nil, errors.New("waiterhttp: a composite authenticator needs at least one member")
	}
	seen := map[string]bool{}
	for _, m := range members {
		s := strings.ToLower(m.Scheme())
		if s == "" || seen[s] {
			return nil, fmt.Errorf("waiterhttp: composite members must read distinct, named schemes (%q repeats or is empty)", m.Scheme())
		}
		seen[s] = true
	}
	return &Composite{members: members}, nil
}

// Authenticate hands r to the member whose scheme its Authorization
// header uses (the first such entry wins).
func (c *Composite) Authenticate(r *http.Request) (Principal, error) {
	for _, v := range r.Header.Values("Authorization") {
		for _, entry := range strings.Split(v, ",") {
			scheme, _, _ := strings.Cut(strings.TrimSpace(entry), " ")
			for _, m := range c.members {
				if strings.EqualFold(scheme, m.Scheme()) {
					return m.Authenticate(r)
				}
			}
		}
	}
	// No member reads what was sent: each one's own refusal of it carries
	// the challenge to offer.
	var challenges, schemes []string
	for _, m := range c.members {
		schemes = append(schemes, m.Scheme())
		_, err := m.Authenticate(r)
		var ae *AuthError
		if errors.As(err, &ae) {
			challenges = append(challenges, ae.Challenges...)
		}
	}
	return Principal{}, &AuthError{
		Reason:     "no credentials for any of " + strings.Join(schemes, ", ") + " in the Authorization header",
		Challenges: challenges,
	}
}
