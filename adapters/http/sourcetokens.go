package waiterhttp

import "github.com/waiter-go/waiter"

// persistSources writes the token versions through which a request reaches
// a service to the store (Waiter's store-source-tokens), so the owners of
// those tokens may still maintain the service after a restart. Each
// version is written once per service: the cache remembers what the store
// holds. It runs for requests that reach the service (proxied requests,
// /waiter-ping), after storeBeforeStart, never for /service-id, so
// resolving alone still stores nothing.
//
// A failed write does not fail the request: the tokens stay in memory and
// the next request tries again; the log says what was not kept.
func (s *Server) persistSources(id string, tokens []waiter.Token) {
	if len(tokens) == 0 {
		return
	}
	if err := s.services.loadSources(id); err != nil {
		s.log.Warn("reading a service's source tokens", "service-id", id, "error", err)
		return
	}
	refs := s.services.unpersisted(id, tokens)
	if len(refs) == 0 {
		return
	}
	if err := s.store.AddSourceTokens(id, refs); err != nil {
		s.log.Warn("storing a service's source tokens; their owners' rights last until the router restarts", "service-id", id, "error", err)
		return
	}
	s.services.markPersisted(id, refs)
}

// sourcesOf is the source tokens /apps shows for a service; a store that
// cannot be read leaves those this router saw, and the log says why.
func (s *Server) sourcesOf(id string) []tokenRef {
	refs, err := s.services.sources(id)
	if err != nil {
		s.log.Warn("reading a service's source tokens", "service-id", id, "error", err)
	}
	return refs
}
