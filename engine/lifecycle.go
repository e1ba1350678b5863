package engine

import "time"

// observe reconciles the engine's instances of a service with the
// scheduler's view: new instances appear, missing ones are dropped
// (requests still in flight on them finish normally), health and flags
// are updated, and deployment errors are recomputed.
func (e *Engine) observe(ev Event) {
	obs := ev.Observation
	if obs == nil {
		return
	}
	svc := e.lookupRef(ev.Ref, ev.Service)
	if svc == nil {
		if !obs.Exists || ev.Description == nil || ev.Description.ID != ev.Service {
			return // a service this router does not know and cannot describe
		}
		svc = e.addService(ev.Description) // adopt what the scheduler runs
		svc.created = true
	}
	if !obs.Exists {
		// The scheduler lost the service: forget its instances; the next
		// request or scaling pass creates it again.
		for _, in := range append([]*instance(nil), svc.sorted...) {
			svc.dropInstance(in)
		}
		svc.created, svc.observed = false, false
		svc.requested, svc.scheduled = 0, 0
		svc.schedulerError = ""
		svc.refresh()
		if svc.clustered {
			e.dropLoans(svc)
			e.redistribute(svc)
		}
		return
	}
	svc.created = true
	svc.observed = true
	svc.requested, svc.scheduled = obs.Requested, obs.Scheduled
	svc.lastObservedR = obs.Requested
	svc.scalePending = false

	// Mark every instance the scheduler lists; the unmarked ones are gone.
	// The earliest time a listed one not yet expired by age will expire
	// is found on the way (refreshExpiry's rule, and due its result): the
	// listed ones are the instances left, so the next scaling pass need
	// not walk them again for it, cold in cache by then (a fifth of
	// large.yaml's passes followed a poll).
	e.observation++
	var due time.Time
	for i := range obs.Instances {
		oi := &obs.Instances[i]
		// The scheduler tends to list the instances in the order the
		// engine keeps them, so the one at the same place is tried
		// before the map: ids are unique and sorted holds exactly the
		// map's instances, so a match is the one the map would give.
		// With a thousand services the maps' lookups were 4 % of a busy
		// hour of large.yaml.
		var in *instance
		if i < len(svc.sorted) && svc.sorted[i].id == oi.ID {
			in = svc.sorted[i]
		} else {
			in = svc.instances[oi.ID]
		}
		if in == nil {
			in = &instance{id: oi.ID}
			svc.addInstance(in)
		}
		if !in.startedAt.Equal(oi.StartedAt) || in.flags&FlagExpired != oi.Flags&FlagExpired {
			svc.sortDirty = true
		}
		in.host, in.port, in.startedAt, in.ref = oi.Host, oi.Port, oi.StartedAt, oi.Ref
		in.healthy, in.hcStatus, in.flags = oi.Healthy, oi.HealthCheckStatus, oi.Flags
		in.expiredByAge = svc.instanceExpiry > 0 && expiredByAge(e.now, in, svc.instanceExpiry, &due)
		in.seen = e.observation
	}
	svc.expiryDue = due
	for i := 0; i < len(svc.sorted); {
		in := svc.sorted[i]
		if in.seen == e.observation {
			i++
			continue
		}
		svc.dropInstance(in) // shifts svc.sorted left
		if svc.killPending == in.id {
			svc.killPending = ""
		}
	}
	svc.failed = append(svc.failed[:0], obs.Failed...)
	svc.schedulerError = obs.DeploymentError
	svc.refresh()
	if svc.clustered {
		e.dropLoans(svc)
		e.redistribute(svc)
	}
	e.updateDeploymentError(svc)
	e.drain(svc)
}

// visit does what became due for svc: queue timeouts and ends of ejections.
func (e *Engine) visit(svc *service) {
	changed := false
	var next = svc.minDeadline
	for _, in := range svc.sorted {
		if !in.ejected || in.killed {
			continue
		}
		if !in.ejectedUntil.After(e.now) {
			in.ejected = false
			changed = true
		} else if next.IsZero() || in.ejectedUntil.Before(next) {
			next = in.ejectedUntil
		}
	}
	if changed {
		svc.refresh()
	}
	e.expireQueued(svc)
	if changed {
		e.drain(svc)
	}
	if !next.IsZero() && next.After(e.now) {
		e.schedule(svc, next)
	}
}

// refreshExpiry marks instances expired by age; called on each scaling pass.
func (e *Engine) refreshExpiry(svc *service) {
	if svc.instanceExpiry <= 0 {
		return
	}
	if svc.expiryDue.IsZero() || !e.now.Before(svc.expiryDue) {
		// Walk the instances only when one may have expired: expiryDue is
		// the earliest time one not yet expired by age expires (zero:
		// unknown, after an override, or none will).
		var due time.Time
		for _, in := range svc.sorted {
			if in.expiredByAge {
				continue
			}
			if expiredByAge(e.now, in, svc.instanceExpiry, &due) {
				in.expiredByAge = true
				svc.sortDirty = true
			}
		}
		svc.expiryDue = due
	}
	if svc.sortDirty {
		svc.refresh()
	}
}

// expiredByAge reports whether in has run for expiry (> 0) at now
// (elapsedAtLeast); if not, it folds the time it will into due, the
// earliest such time of the instances seen so far (zero: none yet). It is
// the rule of both walks that look: observe's and refreshExpiry's.
func expiredByAge(now time.Time, in *instance, expiry time.Duration, due *time.Time) bool {
	at := in.startedAt.Add(expiry)
	if !now.Before(at) {
		return true
	}
	if due.IsZero() || at.Before(*due) {
		*due = at
	}
	return false
}
