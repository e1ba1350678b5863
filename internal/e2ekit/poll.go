package e2ekit

import (
	"testing"
	"time"
)

// PollEvery is how often Eventually re-checks: often enough that a state
// lasting one scaling interval (250 ms) is seen, seldom enough that the
// polling is no load on the router.
const PollEvery = 50 * time.Millisecond

// Eventually checks cond until it holds, and fails the test if it does
// not within timeout, with what cond said the last time. It returns how
// long it waited.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	tick := time.NewTicker(PollEvery)
	defer tick.Stop()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if ok, _ := cond(); ok {
			return time.Since(start)
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			ok, detail := cond()
			if ok {
				return time.Since(start)
			}
			t.Fatalf("%s: not within %s; last seen: %s", what, timeout, detail)
		}
	}
}
