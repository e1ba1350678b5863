package sim

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestAtTimeIsEpochAdd: the engine's time of a virtual instant is the
// same Time value (==: wall clock, seconds, location) as Epoch.Add.
func TestAtTimeIsEpochAdd(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := time.Duration(rapid.Int64Range(-int64(time.Hour), int64(400*24*time.Hour)).Draw(t, "d"))
		if got, want := atTime(d), Epoch.Add(d); got != want {
			t.Fatalf("atTime(%v) = %#v, Epoch.Add = %#v", d, got, want)
		}
	})
	for _, d := range []time.Duration{0, 1, time.Second - 1, time.Second, 36 * time.Hour} {
		if got, want := atTime(d), Epoch.Add(d); got != want {
			t.Fatalf("atTime(%v) = %#v, Epoch.Add = %#v", d, got, want)
		}
	}
}
