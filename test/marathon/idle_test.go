package marathon

import (
	"net/http"
	"testing"
	"time"
)

// idleTimeout is the shortest idle-timeout-mins Waiter accepts: the
// parameter is a whole number of minutes, and 0 (never) is refused in
// headers. The engine's timeout cannot be shortened by configuration, so
// this test takes over a minute; it runs in parallel with the others.
const idleTimeout = time.Minute

// TestDeletesIdleService: a service with idle-timeout-mins 1 that gets
// no request for a minute is deleted: its Marathon app and kitchens go
// and /apps no longer lists it; not before the minute is up.
func TestDeletesIdleService(t *testing.T) {
	t.Parallel()
	c := startCluster(t)
	svc := kitchenService(map[string]string{"idle-timeout-mins": "1"})
	id := c.Start(svc)
	// The idle clock starts when the last request ends.
	lastRequest := time.Now()

	// Polled from the start, so that a removal before the minute is up
	// is caught too; 20 s beyond it for a scaling interval, the delete, a
	// poll and the kitchen's SIGTERM.
	pollStart := time.Now()
	took := assertGone(t, c, id, idleTimeout+20*time.Second)
	gone := pollStart.Add(took).Sub(lastRequest)
	t.Logf("the idle service was deleted %s after its last request", gone.Round(time.Millisecond))
	if gone < idleTimeout-time.Second {
		t.Errorf("the service was deleted %s after its last request, before idle-timeout-mins (1)", gone)
	}
	if a := c.App(id); a.Status != "Inactive" {
		t.Errorf("GET /apps/%s after the idle removal: status %q, want Inactive", id, a.Status)
	}
	if code, _ := c.DeleteApp(id); code != http.StatusNotFound {
		t.Errorf("DELETE /apps/%s after the idle removal: status %d, want 404", id, code)
	}
}
