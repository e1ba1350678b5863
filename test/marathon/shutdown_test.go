package marathon

import (
	"fmt"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// TestShutdownLeavesNoKitchen: SIGTERM to `waiter serve` makes it exit 0
// and leaves the Marathon apps and their kitchens running (apps outlive
// the router, as in Waiter); SIGTERM to the simulated Marathon then
// makes it exit 0 with every kitchen stopped. The cluster's clean-up
// checks the same for every other test.
func TestShutdownLeavesNoKitchen(t *testing.T) {
	t.Parallel()
	c := startCluster(t)
	// Two services, three tasks, so that "every kitchen" means several.
	a := c.Start(kitchenService(map[string]string{"min-instances": "2"}))
	b := c.Start(kitchenService(map[string]string{"version": "2"}))
	var before []e2ekit.Process
	e2ekit.Eventually(t, 15*time.Second, "3 tasks with a live kitchen", func() (bool, string) {
		before = taskProcesses(c.tasksDir)
		return len(e2ekit.Labels(before)) == 3, fmt.Sprintf("%v", before)
	})

	code, err := c.stopWaiter()
	if err != nil || code != 0 {
		t.Fatalf("waiter serve after SIGTERM: exit %d, %v; want 0", code, err)
	}
	for _, id := range []string{a, b} {
		if m := c.existingMarathonApp(id); len(m.running()) == 0 {
			t.Errorf("Marathon app %s after the router stopped: %v; want its tasks still running", id, m)
		}
	}
	for _, p := range before {
		if !e2ekit.Alive(p.PID) {
			t.Errorf("process %d of task %s died with the router: %s", p.PID, p.Label, p.Cmdline)
		}
	}

	code, err = c.stopSim()
	if err != nil || code != 0 {
		t.Fatalf("waiter-sim marathon after SIGTERM: exit %d, %v; want 0", code, err)
	}
	// The simulator stops every task before it exits: nothing to wait for.
	for _, p := range before {
		if e2ekit.Alive(p.PID) {
			t.Errorf("process %d of task %s outlived the simulator: %s", p.PID, p.Label, p.Cmdline)
		}
	}
	if left := taskProcesses(c.tasksDir); len(left) > 0 {
		t.Errorf("task processes alive after the simulator exited: %v", left)
	}
}
