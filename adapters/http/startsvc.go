package waiterhttp

import (
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// storeBeforeStart stores the description of a service a request is about
// to start (proxied requests, /waiter-ping, the background start of token
// fallback), the first time this router sees it, as Waiter stores it on
// first use: a router restarted later adopts the service from it, and a
// store that cannot write refuses the request at once with its own status
// (507 for a full disk) instead of letting it wait for an instance.
//
// Two things keep the store bounded. Resolving alone (/service-id) stores
// nothing. And a service the router would refuse to create (a per-user
// limit, waiter.CreateChecker) is refused here with its 429 before
// anything is written, so a flood of new descriptions from a user at the
// limit costs no store write; one that slips past the check (another request took the
// last slot meanwhile) is handed back by the router to the store's
// retention of inactive services.
func (s *Server) storeBeforeStart(d *engine.Description) *Error {
	if s.services.isStored(d.ID) {
		return nil
	}
	if c, ok := s.router.(waiter.CreateChecker); ok {
		if err := c.CheckCreate(d); err != nil {
			s.metrics.rejected(d.ID, err)
			herr := toError(err)
			herr.ServiceID = d.ID
			return herr
		}
	}
	if _, err := s.store.PutServiceDescription(d.ID, d.Core); err != nil {
		herr := toError(err)
		herr.ServiceID = d.ID
		return herr
	}
	s.services.markStored(d.ID)
	return nil
}
