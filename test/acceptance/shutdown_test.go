package acceptance

import (
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// Graceful shutdown: SIGTERM lets in-flight requests finish, stops every
// instance (even one that ignores SIGTERM) and exits 0, leaving no process
// behind. It needs a router of its own, since it stops it.
func TestGracefulShutdownLeavesNoProcess(t *testing.T) {
	t.Parallel()
	rt, err := startRouter(bins, t.TempDir(), "acceptance-shutdown", shutdownPortRange)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			rt.kill()
		}
		for _, p := range processesUnder(rt.workDir) {
			if proc, err := os.FindProcess(p.PID); err == nil {
				_ = proc.Kill()
			}
		}
		if t.Failed() {
			t.Logf("router log:\n%s", rt.logTail(80))
		}
	})

	// Two kitchens of one service, and one of another that will be busy.
	two := map[string]string{"x-waiter-name": randName(t), "x-waiter-min-instances": "2"}
	expectStatus(t, rt.kitchen(two), http.StatusOK)
	busy := map[string]string{"x-waiter-name": randName(t)}
	busyID := rt.serviceIDOf(t, kitchenHeaders(busy))
	expectStatus(t, rt.kitchen(busy), http.StatusOK)
	// A process that ignores SIGTERM (the ignored disposition survives
	// exec) and never turns healthy: the request only starts it.
	stubborn := map[string]string{"x-waiter-name": randName(t), "x-waiter-cmd": "trap '' TERM; exec sleep 3600",
		"x-waiter-grace-period-secs": "600", "x-waiter-queue-timeout": "300"}
	expectStatus(t, rt.kitchen(stubborn), http.StatusServiceUnavailable)

	var records []instanceRecord
	waitFor(t, "4 running instances", 30*time.Second, 50*time.Millisecond, func() (bool, string) {
		records = instanceRecords(rt.workDir)
		running := 0
		for _, rec := range records {
			if e2ekit.Alive(rec.PID) {
				running++
			}
		}
		return running == 4, fmt.Sprintf("%d records, %d running", len(records), running)
	})

	// A request in flight when the router is told to stop.
	inFlight := make(chan response, 1)
	go func() {
		inFlight <- rt.kitchen(map[string]string{"x-waiter-name": busy["x-waiter-name"], "x-kitchen-delay-ms": "1500"})
	}()
	waitFor(t, "the slow request to reach its instance", 10*time.Second, 20*time.Millisecond, func() (bool, string) {
		s := rt.serviceSettings(t, busyID, nil)
		n, _ := nested(s.raw, "request-metrics", "in-flight").(float64)
		return n >= 1, fmt.Sprintf("request-metrics %v", s.raw["request-metrics"])
	})

	code, err := rt.stop(30 * time.Second)
	stopped = true
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 {
		t.Errorf("waiter serve exited %d after SIGTERM, want 0", code)
	}
	if r := <-inFlight; r.Err != nil || r.Status != http.StatusOK {
		t.Errorf("the request in flight at SIGTERM: %s, want it drained with 200", r)
	}
	for _, rec := range records {
		if e2ekit.Alive(rec.PID) {
			t.Errorf("instance %s: process %d (%s) still running", rec.InstanceID, rec.PID, e2ekit.Cmdline(rec.PID))
		}
		if left := groupMembers(rec.PGID); len(left) > 0 {
			t.Errorf("instance %s: process group %d still has %v", rec.InstanceID, rec.PGID, left)
		}
	}
	if left := rt.leftovers(); len(left) > 0 {
		t.Errorf("left behind after shutdown: %v", left)
	}
}
