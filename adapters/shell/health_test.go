package shell

import (
	"runtime"
	"testing"
	"time"
)

// An idle instance holds no goroutine of its own: its health checks run
// on a timer (monitor), and the scheduler's one localproc.Exits waits for
// every instance's exit. A router with a thousand idle instances keeps a
// thousand timers and pidfds rather than two thousand goroutine stacks.
// Not parallel: it counts the process's goroutines.
func TestIdleInstancesKeepNoGoroutineOfTheirOwn(t *testing.T) {
	s := newTestScheduler(t, func(c *Config) { c.HealthCheckInterval = time.Hour })
	const n = 8
	before := runtime.NumGoroutine()
	d := describe(t, nil)
	create(t, s, d, n)
	waitObs(t, s, d.ID, "healthy instances", healthy(n))
	// A round ends just after its result is applied: wait for the last
	// rounds' goroutines to be gone.
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := runtime.NumGoroutine() - before
		if got <= 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines more with %d idle instances, want none", got, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
