package router

import "time"

// requestStats are a service's requests as the router saw them, for the
// API: the engine's last activity also counts starts, Waiter's
// last-request-time does not. Everything else the API shows comes from
// the engine's snapshot and the syncer's view.
type requestStats struct {
	total       uint64
	lastRequest time.Time
}
