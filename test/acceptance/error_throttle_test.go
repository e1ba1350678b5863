package acceptance

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Repeated identical failures of one service (here a deployment error)
// are answered with the same page, the request's own facts aside, and do
// not each cost a log line: the router reuses the rendered page and logs
// the failure once per second, counting the rest.
func TestRepeatedFailuresThrottled(t *testing.T) {
	t.Parallel()
	rt := sharedRouter(t)
	h := map[string]string{"x-waiter-name": randName(t), "x-waiter-cmd": "asdf" + kitchenCmd("-p $PORT0"),
		"x-waiter-queue-timeout": "600000"}
	id := rt.serviceIDOf(t, kitchenHeaders(h))
	rt.cleanupService(t, id)
	first := rt.kitchen(h)
	expectStatus(t, first, http.StatusServiceUnavailable)
	expectBody(t, first, "Deployment error")

	perRequest := regexp.MustCompile(`(?m)^\s*(CID|Time): .*$`)
	want := perRequest.ReplaceAllString(first.Body, "")
	const n = 200
	start := time.Now()
	for i := range n {
		r := rt.kitchen(h)
		expectStatus(t, r, http.StatusServiceUnavailable)
		if got := perRequest.ReplaceAllString(r.Body, ""); got != want {
			t.Fatalf("failure %d differs beyond its CID and time:\n%s\n---\n%s", i, got, want)
		}
		if !strings.Contains(r.Body, r.Header.Get("x-cid")) {
			t.Fatalf("failure %d does not name its own CID %s", i, r.Header.Get("x-cid"))
		}
	}
	took := time.Since(start)
	logged, err := os.ReadFile(rt.logPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := 0
	for _, l := range strings.Split(string(logged), "\n") {
		if strings.Contains(l, `msg="request failed"`) && strings.Contains(l, id) {
			lines++
		}
	}
	if limit := int(took/time.Second) + 3; lines > limit {
		t.Errorf("%d failures in %v logged %d lines, want at most %d (one a second)", n+1, took, lines, limit)
	}
}
