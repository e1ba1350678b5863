package engine

import "time"

// Bounds of StartupProbeInterval by default: a young instance is probed
// every 5 ms, one that has been starting for 2 s or longer every 100 ms.
const (
	DefaultStartupProbeMin = 5 * time.Millisecond
	DefaultStartupProbeMax = 100 * time.Millisecond
)

// StartupProbeInterval is how long a scheduler that checks health itself
// (the shell scheduler, and the simulator when a scenario picks it) waits
// before probing again an instance that is not healthy yet: age/20,
// clamped to [lo, hi] and never longer than every (the
// health-check interval). A service that took T to start is thus found
// ready at most T/20 late, while a probe of a port nobody listens on yet
// is a cheap refused connect.
func StartupProbeInterval(age, lo, hi, every time.Duration) time.Duration {
	d := max(age/20, lo)
	return min(d, max(hi, lo), every)
}
