// Package fallback decides token fallback (reference 7.6, Waiter's
// descriptor.clj resolve-descriptor): right after a token edit, the new
// service has no healthy instance yet; for fallback-period-secs after the
// edit, requests go to the newest previous version's service that has a
// healthy instance, while the new service starts in the background.
// Without such a service, or outside the period, the request waits for
// the new one.
//
// The decision is pure, in two steps, so that the HTTP edge (which owns
// the clock and the stores) reads the token history only when it can
// matter: Applies says from the time, the edit and the newest service's
// state whether to look at the history; Choose picks among the previous
// versions, given the services' states.
package fallback
