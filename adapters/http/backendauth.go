package waiterhttp

import (
	"encoding/base64"
	"net/http"

	"github.com/waiter-go/waiter/internal/boundedmap"
)

// backendAuthCache remembers each service's Authorization header to its
// instances. Config.BackendAuth is a function of the service id (the
// schedulers export its answer to an instance when they start it, so it
// cannot change while the service runs), and computing it (an HMAC per
// request in `waiter serve`) is among the costliest steps of a proxied
// request. At most Max services; when full it starts over.
type backendAuthCache struct {
	boundedmap.Map[string, backendAuthEntry]
}

type backendAuthEntry struct {
	header string // "Basic ..."
	ok     bool
}

// header is the Authorization value for serviceID, or false when auth
// gives none.
func (c *backendAuthCache) header(serviceID string, auth func(string) (string, string, bool)) (string, bool) {
	if e, hit := c.Get(serviceID); hit {
		return e.header, e.ok
	}
	var e backendAuthEntry
	if user, pass, ok := auth(serviceID); ok {
		// As http.Request.SetBasicAuth writes it.
		e = backendAuthEntry{header: "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)), ok: true}
	}
	c.Put(serviceID, e)
	return e.header, e.ok
}

// backendAuth adds the service's credentials to a request to its instance.
func (s *Server) backendAuth(out *http.Request, serviceID string) {
	if s.cfg.BackendAuth == nil {
		return
	}
	if v, ok := s.backendAuths.header(serviceID, s.cfg.BackendAuth); ok {
		if out.Header == nil {
			out.Header = http.Header{}
		}
		out.Header["Authorization"] = []string{v}
	}
}
