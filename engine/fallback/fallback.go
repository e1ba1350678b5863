package fallback

import "time"

// Applies reports whether a request for service latest may fall back: a
// period is set, the newest token was edited less than period before
// now, and latest has no healthy instance. latestHealthy is asked last,
// only within the period: the router answers it from its own loop.
func Applies(now, edited time.Time, period time.Duration, latestHealthy func() bool) bool {
	return period > 0 && !edited.IsZero() && now.Before(edited.Add(period)) && !latestHealthy()
}

// Version is one earlier version of the edited token, newest first, as
// the edge resolved it for this request.
type Version struct {
	// ServiceID is the service the version gives the request; empty when
	// it gives none (a deleted version, an invalid description, or one
	// the requester may not use).
	ServiceID string
}

// Choose returns the service to serve the request instead of latest: the
// newest version's that differs from latest and has a healthy instance
// (healthy holds the services' states), or false to wait for latest.
func Choose(latest string, previous []Version, healthy map[string]bool) (string, bool) {
	for _, v := range previous {
		if v.ServiceID != "" && v.ServiceID != latest && healthy[v.ServiceID] {
			return v.ServiceID, true
		}
	}
	return "", false
}
