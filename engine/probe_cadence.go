package engine

import "time"

// Bounds of StartupProbeInterval by default: a young instance is probed
// every millisecond, one that has been starting for 2 s or longer every
// 100 ms. The 1 ms floor: until an instance listens, a probe is one
// sock_diag query (about 0.1 ms) and no connection, and a service that
// starts in a few milliseconds is then found ready within a millisecond;
// with a 5 ms floor proxybench's cold-start overhead (the paired
// difference to the command's own start-up, median of 30, interleaved with
// a 5 ms build in the same run) was 6.9 ms for kitchen and 6.3 ms for the
// minimal Go backend, with 1 ms 4.5 ms and 2.3 ms.
const (
	DefaultStartupProbeMin = 1 * time.Millisecond
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
