package engine

import "strconv"

// Per-user limits (Config.MaxServicesPerUser, MaxInstancesPerUser): a
// user is a description's run-as-user. The engine keeps each user's
// services in a set, so counting them is a map lookup and summing their
// instances a pass over that user's services only.

// userServices returns the set of services that run as user.
func (e *Engine) userServices(user string) map[*service]struct{} {
	return e.users[user]
}

// trackUser records svc under its run-as-user (addService).
func (e *Engine) trackUser(svc *service) {
	set := e.users[svc.desc.RunAsUser]
	if set == nil {
		set = map[*service]struct{}{}
		e.users[svc.desc.RunAsUser] = set
	}
	set[svc] = struct{}{}
}

// untrackUser forgets svc (removeService).
func (e *Engine) untrackUser(svc *service) {
	set := e.users[svc.desc.RunAsUser]
	delete(set, svc)
	if len(set) == 0 {
		delete(e.users, svc.desc.RunAsUser)
	}
}

// userInstances is the instances the user's services ask the scheduler
// for (the larger of requested and scheduled, so a service the scheduler
// runs more of than asked still counts what it runs).
func (e *Engine) userInstances(user string) int {
	n := 0
	for svc := range e.users[user] {
		n += max(svc.requested, svc.scheduled)
	}
	return n
}

// admitNewService refuses a service the engine does not know yet when its
// user already has the most services allowed, or when its min-instances
// would take the user past the most instances allowed (Waiter's 429,
// too many requests: the user must delete a service or wait for one to
// go idle).
func (e *Engine) admitNewService(d *Description) *Error {
	user := d.RunAsUser
	if limit := e.cfg.MaxServicesPerUser; limit > 0 {
		if n := len(e.userServices(user)); n >= limit {
			return &Error{Code: CodeTooMany, Reason: ReasonUserServiceLimit,
				Message: "User " + strconv.Quote(user) + " already has " + strconv.Itoa(n) +
					" services, the most allowed per user (max-services-per-user); delete one or wait for an idle one to be removed",
				Details: []Detail{{Key: "user", Value: user}, {Key: "limit", Value: strconv.Itoa(limit)},
					{Key: "services", Value: strconv.Itoa(n)}, {Key: "service-id", Value: d.ID}}}
		}
	}
	if limit := e.cfg.MaxInstancesPerUser; limit > 0 {
		if n := e.userInstances(user); n+d.MinInstances > limit {
			return &Error{Code: CodeTooMany, Reason: ReasonUserInstanceLimit,
				Message: "User " + strconv.Quote(user) + " has " + strconv.Itoa(n) + " instances and this service needs " +
					strconv.Itoa(d.MinInstances) + " more, past the most allowed per user (max-instances-per-user)",
				Details: []Detail{{Key: "user", Value: user}, {Key: "limit", Value: strconv.Itoa(limit)},
					{Key: "instances", Value: strconv.Itoa(n)}, {Key: "service-id", Value: d.ID}}}
		}
	}
	return nil
}

// instanceRoom caps a scale-up target of svc so that its user's services
// ask for at most MaxInstancesPerUser instances in all.
func (e *Engine) instanceRoom(svc *service, to int) int {
	limit := e.cfg.MaxInstancesPerUser
	if limit <= 0 {
		return to
	}
	others := e.userInstances(svc.desc.RunAsUser) - max(svc.requested, svc.scheduled)
	return min(to, limit-others)
}

// CheckNewService answers, without changing anything, whether a request
// for d would be refused by a per-user limit: nil when the engine knows
// the service already or would create it. A driver asks before it does
// something costly for a new service (the router stores its description
// first); the answer can change before the request arrives, so the
// request itself is checked again.
func (e *Engine) CheckNewService(d *Description) *Error {
	if d == nil || e.lookup(d.ID) != nil {
		return nil
	}
	return e.admitNewService(d)
}

// Knows reports whether the engine has a service with id: a driver that
// keeps its own record per service drops it when the engine refused to
// create the service.
func (e *Engine) Knows(id string) bool { return e.lookup(id) != nil }

// ServicesAdded counts the services the engine has added (created for a
// request, started, or adopted from the scheduler) since New, re-added
// ones included. A driver that keeps a record per service the engine
// knows compares it before and after a step: unchanged, the step added
// none, so no record can be missing.
func (e *Engine) ServicesAdded() uint64 { return e.added }
