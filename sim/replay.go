package sim

import "time"

// replayed is a load process that plays recorded arrival times (a real
// run's, so that the simulation sees exactly the requests the router
// saw). Times must not decrease.
type replayed struct {
	at []time.Duration
	i  int
}

func (p *replayed) Next() (time.Duration, bool) {
	if p.i >= len(p.at) {
		return 0, false
	}
	p.i++
	return p.at[p.i-1], true
}
