package engine

// Operator actions on one instance through the API (Waiter's /eject and
// instance expire signal); /apps/{id}/instance/{iid}/kill is operatorKill.

// EjectBlocked says whether Instance of Service exists and whether it may
// not be ejected now: it serves requests (Waiter's responder answers
// :in-use, and /eject 423), or a kill of it is under way.
func (e *Engine) EjectBlocked(service, instance string) (found, blocked bool) {
	svc := e.lookup(service)
	if svc == nil {
		return false, false
	}
	in := svc.instances[instance]
	if in == nil || in.gone {
		return false, false
	}
	return true, in.inflight > 0 || in.locked || in.killed
}

// operatorEject ejects an instance until ev.Until (EvEjectInstance); the
// usual timer un-ejects it then. An instance EjectBlocked refuses is left
// alone.
func (e *Engine) operatorEject(ev Event) {
	if found, blocked := e.EjectBlocked(ev.Service, ev.Instance); !found || blocked || !ev.Until.After(e.now) {
		return
	}
	svc := e.lookup(ev.Service)
	e.eject(svc, svc.instances[ev.Instance], ev.Until.Sub(e.now))
	svc.refresh()
}

// operatorExpire marks an instance expired (EvExpireInstance): the scaling
// pass replaces it and kills it first, as one past instance-expiry-mins.
func (e *Engine) operatorExpire(ev Event) {
	svc := e.lookup(ev.Service)
	if svc == nil {
		return
	}
	if in := svc.instances[ev.Instance]; in != nil && !in.gone {
		in.expiredByOperator = true
		svc.refresh()
	}
}
