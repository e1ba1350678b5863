package sim

import (
	"time"

	"github.com/waiter-go/waiter/sim/scenario"
	"github.com/waiter-go/waiter/sim/stats"
)

// What a report of a real run (waiter-sim load) shares with a simulated
// one, so both are built by the same rules.

// ScenarioWindows lists the faults and load changes of sc within [0, end].
func ScenarioWindows(sc *scenario.Scenario, end time.Duration) []Window {
	return scenarioWindows(sc, end)
}

// CheckAssertions evaluates sc's assertions against rep.
func CheckAssertions(sc *scenario.Scenario, rep *Report) ([]AssertionResult, bool) {
	r := &Runner{sc: sc}
	return r.check(rep)
}

// SeriesWidth is the width of one point of the time series of a run of
// sc: the scenario's report interval, else duration/240, at least 1 s.
func SeriesWidth(sc *scenario.Scenario) time.Duration {
	width := sc.Report.Interval
	if width <= 0 {
		width = sc.Duration / 240
	}
	return max(width, time.Second).Round(time.Second)
}

// LatencyMS summarises a histogram as a report's percentiles.
func LatencyMS(h *stats.Histogram) Latency { return latency(h) }

// MS is a duration in milliseconds, rounded to the microsecond as
// reports write them.
func MS(d time.Duration) float64 { return ms(d) }

// CheckOverrides refuses an override (Options.Set) that names no Waiter
// parameter, with the spelling to use when it is another spelling of one.
func CheckOverrides(set map[string]any) error { return checkOverrides(set) }
