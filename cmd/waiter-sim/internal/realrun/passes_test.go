package realrun

import (
	"testing"
	"time"
)

// Passes 1 s + 3 ms apart, read with ±1 ms of noise by samples 1 s
// apart (some see the same pass twice, one reads another timer): the
// lateness is 3 ms within the noise.
func TestPassLateness(t *testing.T) {
	const late = 3 * time.Millisecond
	pass := func(k int) time.Duration { return 520*time.Millisecond + time.Duration(k)*(time.Second+late) }
	var wakes []time.Duration
	noise := []time.Duration{time.Millisecond, -time.Millisecond, 0, 500 * time.Microsecond}
	for s := 0; s < 120; s++ {
		at := time.Duration(s) * time.Second
		k := 0
		for pass(k) <= at {
			k++
		}
		w := pass(k) + noise[s%len(noise)]
		if s == 50 {
			w = at + 10*time.Millisecond // a queue timeout due before the pass
		}
		if s >= 80 && s < 90 {
			continue // the service was removed: no passes, no wake-ups
		}
		if s >= 90 { // and came back: its passes start again, at another phase
			w += 300 * time.Millisecond
		}
		wakes = append(wakes, w)
	}
	got := passLateness(wakes, time.Second)
	if d := got.Late - late; d < -200*time.Microsecond || d > 200*time.Microsecond {
		t.Errorf("lateness %v, want %v ± 0.2 ms", got.Late, late)
	}
	if got.Lo > got.Late || got.Hi < got.Late || got.Hi-got.Lo > 200*time.Microsecond {
		t.Errorf("quartiles %v and %v around %v, want within 0.2 ms of each other", got.Lo, got.Hi, got.Late)
	}
	if got.Estimates != 49 {
		t.Errorf("%d estimates, want 49: 30, 9 and 10 from the stretches 0-49, 51-79 and 90-119", got.Estimates)
	}
	if z := passLateness(nil, time.Second); z.Estimates != 0 || z.Late != 0 {
		t.Errorf("no samples: %+v", z)
	}
}

// The wake-up is read where waiter serve's GET /state puts it.
func TestParseNextWake(t *testing.T) {
	d, err := parseNextWake([]byte(`{"async":{},"driver":{"next-wake-in-ms":417,"services":1}}`))
	if err != nil || d != 417*time.Millisecond {
		t.Errorf("got %v, %v; want 417ms", d, err)
	}
	if _, err := parseNextWake([]byte(`{"next-wake-in-ms":417}`)); err == nil {
		t.Error("a body without driver.next-wake-in-ms: no error")
	}
}
