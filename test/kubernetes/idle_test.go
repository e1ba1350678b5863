package kubernetes

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// TestIdleRemovalDeletesReplicaSet: a service idle for idle-timeout-mins
// (its least, one minute) is removed: its ReplicaSet and pods are deleted
// from the API server and its processes stop.
func TestIdleRemovalDeletesReplicaSet(t *testing.T) {
	t.Parallel()
	c := startRouter(t)
	id := c.Start(kitchenService(map[string]string{"idle-timeout-mins": "1"}))
	if c.replicaSet(id) == nil {
		t.Fatal("no ReplicaSet after the first request")
	}
	took := e2ekit.Eventually(t, 2*time.Minute, "the ReplicaSet, its pods and processes gone", func() (bool, string) {
		rs := c.replicaSet(id)
		live := podProcesses(c.name)
		return rs == nil && len(live) == 0 && !slices.Contains(c.AppIDs(), id),
			fmt.Sprintf("ReplicaSet present %v, processes %v", rs != nil, live)
	})
	t.Logf("removed %s after the last request", took.Round(time.Second))
}
