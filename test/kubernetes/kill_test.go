package kubernetes

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// TestOperatorKillOfServingPod: POST /apps/{id}/instance/{iid}/kill on
// the instance serving the traffic deletes its pod; the ReplicaSet keeps
// two replicas, so the controller starts a replacement; no request sent
// after the kill reaches the victim, every request succeeds, and the
// victim's processes stop.
func TestOperatorKillOfServingPod(t *testing.T) {
	t.Parallel()
	c := startRouter(t)
	svc := kitchenService(map[string]string{"min-instances": "2"})
	id := c.Start(svc)
	c.AwaitHealthy(id, 2, 30*time.Second)
	tr := c.StartTraffic(svc, 1)
	tr.AwaitReplies(e2ekit.BeforeKill, 20, 10*time.Second)
	victim := c.KillServing(tr, id)
	victimPod := victim[:strings.LastIndexByte(victim, '-')]
	took := e2ekit.Eventually(t, 30*time.Second, "the victim's pod gone, 2 replicas, a replacement Ready", func() (bool, string) {
		rs := c.replicaSet(id)
		pods, ready := c.pods(rs)
		return replicas(rs) == 2 && len(pods) == 2 && ready == 2 && !slices.Contains(pods, victimPod),
			fmt.Sprintf("replicas %d, pods %v, ready %d", replicas(rs), pods, ready)
	})
	t.Logf("the ReplicaSet replaced the killed pod in %s", took.Round(time.Millisecond))
	e2ekit.AwaitGone(t, 15*time.Second, "the victim's processes stopped", func() []e2ekit.Process { return podProcesses(c.name) }, victimPod)
	tr.AwaitReplies(e2ekit.AfterKill, 20, 15*time.Second)
	tr.StopAfterKill(victim)
}
