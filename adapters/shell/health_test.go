package shell

import (
	"runtime"
	"testing"
	"time"
)

// An instance between health checks holds no goroutine of its own for
// them: its probes run on a timer (monitor), and a router with a
// thousand idle instances keeps a thousand timers rather than a thousand
// goroutine stacks. Only the exit watcher stays. Not parallel: it counts
// the process's goroutines.
func TestIdleInstancesKeepOneGoroutineEach(t *testing.T) {
	s := newTestScheduler(t, func(c *Config) { c.HealthCheckInterval = time.Hour })
	const n = 8
	before := runtime.NumGoroutine()
	d := describe(t, nil)
	create(t, s, d, n)
	waitObs(t, s, d.ID, "healthy instances", healthy(n))
	// A round ends just after its result is applied: wait for the last
	// rounds' goroutines to be gone, up to the exit watchers'.
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := runtime.NumGoroutine() - before
		if got <= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines more with %d idle instances, want at most one each (its exit watcher)", got, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
