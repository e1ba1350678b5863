package kubernetes

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// TestDeploymentErrorsReachClientsAtOnce: a command that is not found
// (exit 127) and one that outgrows its memory (OOMKilled) fail the first
// request with 503 and Waiter's message as soon as the pod's status shows
// it, not after the queue timeout.
func TestDeploymentErrorsReachClientsAtOnce(t *testing.T) {
	t.Parallel()
	c := startRouter(t)
	for _, tc := range []struct {
		name string
		svc  e2ekit.Service
		want string
	}{
		{"bad command", kitchenService(map[string]string{"cmd": "no-such-kitchen-command -p $PORT0"}), "Deployment error: Invalid startup command"},
		{"oom", kitchenService(map[string]string{"cmd": "head -c 400000000 /dev/zero | tail", "mem": "24"}), "Deployment error: Not enough memory allocated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r := c.Send(tc.svc, nil)
			took := time.Since(start)
			t.Logf("%s: %d after %s", tc.name, r.Status, took.Round(time.Millisecond))
			if r.Err != nil || r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, tc.want) {
				t.Errorf("%v, want 503 with %q", r, tc.want)
			}
			if took > 20*time.Second {
				t.Errorf("the error took %s to reach the client", took)
			}
		})
	}
}
