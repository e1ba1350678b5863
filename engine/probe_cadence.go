package engine

import "time"

// Bounds of StartupProbeInterval by default: a young instance is probed
// every quarter millisecond, one that has been starting for 8 s or longer
// every 100 ms. Until an instance listens, the shell scheduler's probe is
// a refused connect (about 15 µs), so a fast cadence costs little: over
// 40 kitchen cold starts `waiter serve` spent 13 ms of CPU a start with
// this cadence and connect-first probes, against 17 ms with the old one
// (age/20 from 1 ms, a sock_diag query a probe). proxybench's cold-start
// overhead (the paired difference to the command's own start-up, median
// of 60, interleaved with the old build in the same run) went from 5.1 to
// 3.2 ms for kitchen. Before that, a 5 ms floor had measured 6.9 ms, and
// 1 ms 4.5 ms.
const (
	DefaultStartupProbeMin = 250 * time.Microsecond
	DefaultStartupProbeMax = 100 * time.Millisecond
)

// startupProbeShare: a starting instance is probed every age/80.
const startupProbeShare = 80

// StartupProbeInterval is how long a scheduler that checks health itself
// (the shell scheduler, and the simulator when a scenario picks it) waits
// before probing again an instance that is not healthy yet: age/80,
// clamped to [lo, hi] and never longer than every (the
// health-check interval). A service that took T to start is thus found
// ready at most T/80 late, while a probe of a port nobody listens on yet
// is a cheap refused connect.
func StartupProbeInterval(age, lo, hi, every time.Duration) time.Duration {
	d := max(age/startupProbeShare, lo)
	return min(d, max(hi, lo), every)
}
