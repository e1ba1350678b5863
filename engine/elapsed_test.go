package engine

import (
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// elapsedAtLeast is now.Sub(last) >= timeout for every pair of times,
// those far enough apart that Sub saturates included.
func TestElapsedAtLeastIsSub(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		at := func(name string) time.Time {
			// Seconds anywhere in time.Time's range a Unix time reaches,
			// or near a common base so that the two are close.
			sec := rapid.OneOf(rapid.Int64Range(-1<<40, 1<<40), rapid.Int64Range(1e9, 1e9+100)).Draw(t, name+"Sec")
			return time.Unix(sec, rapid.Int64Range(0, 999_999_999).Draw(t, name+"Nsec"))
		}
		now, last := at("now"), at("last")
		timeout := time.Duration(rapid.OneOf(rapid.Int64Range(1, int64(time.Hour)), rapid.Int64Range(1, math.MaxInt64)).Draw(t, "timeout"))
		switch rapid.IntRange(0, 3).Draw(t, "relation") {
		case 0:
			last = now
		case 1:
			last = now.Add(-timeout) // idle for exactly the timeout
		case 2:
			last = now.Add(-timeout + 1)
		}
		if got, want := elapsedAtLeast(now, last, timeout), now.Sub(last) >= timeout; got != want {
			t.Fatalf("elapsedAtLeast(%v, %v, %v) = %v, want %v", now, last, timeout, got, want)
		}
	})
}
