package waiterhttp

import "github.com/waiter-go/waiter/engine"

// ServiceChanged is told that a service's stored overrides or suspension
// changed in a store other routers write too (a cluster on ZooKeeper,
// whose watches report it). The edge forgets what it remembered of them,
// reads them again, and applies them to this router's engine as its own
// /apps/{id}/override and /suspend handlers do, when they differ from
// what the engine has. A service the router does not run needs nothing
// more: its next request reads the records.
//
// It reads the store: call it off the store's own event goroutine.
func (s *Server) ServiceChanged(id string) {
	s.services.stale(id)
	snap, known := s.router.Service(id)
	if !known || snap.Description == nil {
		return
	}
	if sus, err := s.services.suspension(id); err == nil && sus.Suspended != snap.Suspended {
		s.router.Suspend(id, sus.Suspended)
	}
	ov, err := s.services.overrides(id)
	if err != nil {
		return
	}
	nd, err := engine.NewDescription(snap.Description.Core.Clone(), s.cfg.Description)
	if err != nil {
		return
	}
	nd.ID = id // as manageableBase: the id the engine knows it by
	if len(ov.Overrides) > 0 {
		if nd, err = nd.WithOverrides(engine.NormalizeParams(ov.Overrides), s.cfg.Description); err != nil {
			return
		}
	}
	if engine.ParamsKey(nd.Effective()) != engine.ParamsKey(snap.Description.Effective()) {
		s.router.Override(nd)
	}
}
