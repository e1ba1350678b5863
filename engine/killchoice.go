package engine

// findKillable chooses the instance to kill on scale-down (Waiter's
// find-killable-instance): only idle instances, or expired ones whose
// requests are all lingering; when expired instances exist, healthy ones
// qualify only if ejected or expired; when expired and starting instances
// both exist, only unhealthy instances past their grace period. Among
// candidates it prefers idle > expired (oldest first) > unhealthy >
// ejected > youngest healthy (oldest when load balancing is youngest).
func (e *Engine) findKillable(svc *service) *instance {
	hasExpired, hasStarting := false, false
	for _, in := range svc.sorted {
		if in.killed {
			continue
		}
		if in.expired() {
			hasExpired = true
		}
		if in.starting(e.now, svc.desc.GracePeriod) {
			hasStarting = true
		}
	}
	var best *instance
	for _, in := range svc.sorted {
		if !e.killable(svc, in, hasExpired, hasStarting) {
			continue
		}
		if best == nil || e.killRank(svc, in, best) > 0 {
			best = in
		}
	}
	return best
}

func (e *Engine) killable(svc *service, in *instance, hasExpired, hasStarting bool) bool {
	if in.killed || in.locked || in.gone || in.lent > 0 || e.now.Before(in.vetoedUntil) {
		return false
	}
	if svc.clustered && in.healthy && in.slots == 0 {
		return false // a peer's instance: it chooses among its own (delegation)
	}
	lingering := in.expired() && e.now.Sub(in.lastDispatch) > e.cfg.LingeringRequestThreshold
	if in.inflight > 0 && !lingering {
		return false
	}
	if hasExpired && in.healthy && !in.ejected && !in.expired() {
		return false
	}
	if hasExpired && hasStarting && (in.healthy || in.starting(e.now, svc.desc.GracePeriod)) {
		return false
	}
	return true
}

// killRank compares a and b by Waiter's vector [idle expired unhealthy
// ejected started-at] (started-at negated for expired instances, and for
// all when load balancing is youngest); positive means a is preferred.
func (e *Engine) killRank(svc *service, a, b *instance) int {
	cmpBool := func(x, y bool) int {
		switch {
		case x == y:
			return 0
		case x:
			return 1
		}
		return -1
	}
	if c := cmpBool(a.inflight == 0, b.inflight == 0); c != 0 {
		return c
	}
	if c := cmpBool(a.expired(), b.expired()); c != 0 {
		return c
	}
	if c := cmpBool(!a.healthy, !b.healthy); c != 0 {
		return c
	}
	if c := cmpBool(a.ejected, b.ejected); c != 0 {
		return c
	}
	ta, tb := a.startedAt.UnixNano(), b.startedAt.UnixNano()
	if a.expired() != (svc.desc.LoadBalancing == LBYoungest) {
		ta = -ta
	}
	if b.expired() != (svc.desc.LoadBalancing == LBYoungest) {
		tb = -tb
	}
	switch {
	case ta > tb:
		return 1
	case ta < tb:
		return -1
	}
	// Equal rank: the instance later in routing order goes first.
	if b.before(a) {
		return 1
	}
	return -1
}
