package waiterhttp

import (
	"encoding/base64"
	"net/http"
	"sync"
)

// backendAuthCache remembers each service's Authorization header to its
// instances. Config.BackendAuth is a function of the service id (the
// schedulers export its answer to an instance when they start it, so it
// cannot change while the service runs), and computing it (an HMAC per
// request in `waiter serve`) is among the costliest steps of a proxied
// request. At most max services; when full it starts over.
type backendAuthCache struct {
	max int

	mu sync.RWMutex
	m  map[string]backendAuthEntry
}

type backendAuthEntry struct {
	header string // "Basic ..."
	ok     bool
}

// header is the Authorization value for serviceID, or false when auth
// gives none.
func (c *backendAuthCache) header(serviceID string, auth func(string) (string, string, bool)) (string, bool) {
	c.mu.RLock()
	e, hit := c.m[serviceID]
	c.mu.RUnlock()
	if hit {
		return e.header, e.ok
	}
	user, pass, ok := auth(serviceID)
	if ok {
		// As http.Request.SetBasicAuth writes it.
		e = backendAuthEntry{header: "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)), ok: true}
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[string]backendAuthEntry)
	}
	c.m[serviceID] = e
	c.mu.Unlock()
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
