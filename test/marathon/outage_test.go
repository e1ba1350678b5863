package marathon

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// outageWindow is how long the simulated Marathon answers 503. The
// router sees the first failed poll about 3 s in (go-marathon retries
// with backoff within one call), so the window must be longer for the
// failure to show while it lasts.
const outageWindow = 8 * time.Second

// Phases of the outage test's traffic.
const (
	beforeNoticed int32 = iota // the router has not reported the outage yet
	noticed                    // GET /state reports the failing scheduler
	recovered                  // the report has cleared
)

// TestSurvivesMarathonOutage: while Marathon answers every call with 503
// (no leader), requests to a service that already has a healthy instance
// still get 200, the router keeps the service Running and says in GET
// /state that observing the scheduler fails; after the window the error
// clears and scaling works again.
func TestSurvivesMarathonOutage(t *testing.T) {
	t.Parallel()
	c := startCluster(t)
	svc := kitchenService(map[string]string{
		"concurrency-level": "1", "scale-up-factor": "0.9", "scale-down-factor": "0.9"})
	id := c.Start(svc)
	e2ekit.Eventually(t, 10*time.Second, "1 healthy instance and no poll error", func() (bool, string) {
		a, st := c.App(id), c.State()
		return a.InstanceCounts.Healthy == 1 && st.Driver.LastPollError == "",
			fmt.Sprintf("%v; last-poll-error %q", a, st.Driver.LastPollError)
	})

	// Two workers: with concurrency level 1 the second request waits for
	// the instance, so the autoscaler wants a second instance and its
	// scale calls fail during the outage; routing must not care.
	tr := c.StartTraffic(svc, 2)
	// Taken before the call, so that it is no later than the end the
	// simulator sets: "cleared before the end" below cannot misfire.
	windowEnd := time.Now().Add(outageWindow)
	c.injectFault(fmt.Sprintf(`{"unavailableFor": %q}`, outageWindow))
	if code := c.marathonStatus("/v2/apps"); code != http.StatusServiceUnavailable {
		t.Fatalf("Marathon GET /v2/apps during the outage: status %d, want 503", code)
	}

	// The router notices, and says so, while the window lasts.
	var pollErr string
	seen := e2ekit.Eventually(t, time.Until(windowEnd), "GET /state reporting the failing scheduler during the outage",
		func() (bool, string) {
			pollErr = c.State().Driver.LastPollError
			return pollErr != "", "no last-poll-error"
		})
	tr.SetPhase(noticed)
	t.Logf("the router reported %q %s into the outage", pollErr, seen.Round(time.Millisecond))
	if !strings.Contains(pollErr, "unavailable") {
		t.Errorf("last-poll-error %q does not say Marathon is unavailable", pollErr)
	}
	if a := c.App(id); a.Status != "Running" || a.InstanceCounts.Healthy < 1 {
		t.Errorf("during the outage GET /apps/%s says %v, want Running with its healthy instance", id, a)
	}

	// go-marathon marks the host down and probes /ping every 5 s, so the
	// router recovers up to 5 s (plus a poll) after the window.
	e2ekit.Eventually(t, time.Until(windowEnd)+15*time.Second, "the poll error cleared after the outage",
		func() (bool, string) {
			st := c.State()
			return st.Driver.LastPollError == "", "last-poll-error " + st.Driver.LastPollError
		})
	tr.SetPhase(recovered)
	if time.Now().Before(windowEnd) {
		t.Errorf("the poll error cleared %s before the outage ended", time.Until(windowEnd).Round(time.Millisecond))
	}

	replies := tr.Stop()
	for _, r := range replies {
		if r.Err != nil || r.Status != http.StatusOK {
			t.Errorf("a request during the outage: %v, want 200", r.Reply)
		}
	}
	// Requests ran while the router knew Marathon was down.
	if n := tr.Count(noticed); n < 100 {
		t.Errorf("only %d requests ran while the router reported the outage", n)
	}
	t.Logf("%d requests across the %s outage, %d of them while the router reported it",
		len(replies), outageWindow, tr.Count(noticed))

	// Scaling works again: n slow concurrent requests get n instances.
	const n = 4
	done := c.SendConcurrently(svc, n, map[string]string{"x-kitchen-delay-ms": "3000"})
	e2ekit.Eventually(t, 15*time.Second, fmt.Sprintf("scaled to %d instances after the outage", n), func() (bool, string) {
		a := c.App(id)
		m, _ := c.marathonApp(id)
		return a.InstanceCounts.Healthy >= n && m.Instances >= n && m.TasksRunning >= n,
			fmt.Sprintf("router: %v; Marathon: %v", a, m)
	})
	for _, r := range <-done {
		if r.Err != nil || r.Status != http.StatusOK {
			t.Errorf("a request after the outage: %v, want 200", r)
		}
	}
}
