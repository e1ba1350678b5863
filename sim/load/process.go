package load

import (
	"math"
	"time"
)

// Process is a stream of arrival times.
type Process interface {
	// Next returns the next arrival time, measured from the simulation epoch.
	// Times never decrease. Once ok is false the process has no more
	// arrivals and keeps returning false.
	Next() (at time.Duration, ok bool)
}

// process is what every Process built here also offers, so that combinators
// can skip a stretch of time without generating the arrivals in it (a 10-hour
// gap in a 1,000 req/s load would otherwise cost 36 million draws).
type process interface {
	Process
	// skipTo discards the arrivals before t: the next Next returns a time
	// ≥ t. It is exact: Poisson processes are memoryless, and deterministic
	// ones follow a fixed schedule.
	skipTo(t time.Duration)
}

// maxSeconds is the largest time, in seconds, that a time.Duration holds.
const maxSeconds = float64(math.MaxInt64) / 1e9

// toDuration converts internal float seconds to a Duration, rounding to the
// nearest nanosecond (monotone, so ordered times stay ordered). ok is false
// past the range of time.Duration (about 292 years).
func toDuration(sec float64) (time.Duration, bool) {
	if !(sec < maxSeconds) {
		return 0, false
	}
	return time.Duration(math.Round(sec * 1e9)), true
}

func seconds(d time.Duration) float64 { return d.Seconds() }
