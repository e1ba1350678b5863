package shell

import (
	"testing"

	"github.com/waiter-go/waiter/internal/schedtest"
)

// TestContract runs the scheduler contract shared by every scheduler
// (internal/schedtest) against the shell scheduler.
func TestContract(t *testing.T) {
	t.Parallel()
	schedtest.Run(t, schedtest.Harness{Scheduler: newTestScheduler(t, nil)})
}
