package engine

// ServiceRef is a driver's handle on a service the engine knows, for a
// driver that sends many events of the same services (the simulator:
// every request of a thousand services). An EvRequestArrived carrying
// one (Event.Ref) finds its service through it instead of hashing the
// service id into the services map, whose probe missed the cache once
// per request with many services. It is only a hint: when it names no
// service of this engine, a removed one or another id than
// Event.Service, the engine looks the id up as always, so a stale or
// foreign handle changes nothing but the cost.
type ServiceRef struct{ svc *service }

// ServiceRef returns the handle of service id, or the zero ServiceRef
// when the engine does not know it.
func (e *Engine) ServiceRef(id string) ServiceRef { return ServiceRef{e.services[id]} }

// RefLive reports whether ref names a service e knows now (not removed
// since ref was taken): a driver renews a handle that is not.
func (e *Engine) RefLive(ref ServiceRef) bool {
	s := ref.svc
	return s != nil && s.owner == e && !s.removed
}

// lookupRef returns the service with id, through ref when it names it.
func (e *Engine) lookupRef(ref ServiceRef, id string) *service {
	if s := ref.svc; s != nil && s.owner == e && !s.removed && s.id == id {
		return s
	}
	return e.lookup(id)
}
