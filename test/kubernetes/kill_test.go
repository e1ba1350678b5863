package kubernetes

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

const (
	beforeKill int32 = iota
	afterKill
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
	var originals []string
	e2ekit.Eventually(t, 30*time.Second, "2 healthy instances", func() (bool, string) {
		a := c.App(id)
		originals = originals[:0]
		for _, in := range a.Instances.Active {
			originals = append(originals, in.ID)
		}
		return a.InstanceCounts.Healthy == 2 && len(originals) == 2, a.String()
	})
	tr := c.StartTraffic(svc, 1)
	e2ekit.Eventually(t, 10*time.Second, "traffic flowing", func() (bool, string) {
		return tr.Count(beforeKill) >= 20, fmt.Sprintf("%d replies", tr.Count(beforeKill))
	})
	tr.Pause()
	last, _ := tr.Last()
	victim := last.BackendID
	code, res := c.KillInstance(id, victim)
	tr.SetPhase(afterKill)
	tr.Resume()
	if code != http.StatusOK || !res.Success {
		t.Fatalf("kill %s: %d %+v", victim, code, res)
	}
	victimPod := victim[:strings.LastIndexByte(victim, '-')]
	took := e2ekit.Eventually(t, 30*time.Second, "the victim's pod gone, 2 replicas, a replacement Ready", func() (bool, string) {
		rs := c.replicaSet(id)
		pods, ready := c.pods(rs)
		return replicas(rs) == 2 && len(pods) == 2 && ready == 2 && !slices.Contains(pods, victimPod),
			fmt.Sprintf("replicas %d, pods %v, ready %d", replicas(rs), pods, ready)
	})
	t.Logf("the ReplicaSet replaced the killed pod in %s", took.Round(time.Millisecond))
	e2ekit.Eventually(t, 15*time.Second, "the victim's processes stopped", func() (bool, string) {
		var left []e2ekit.Process
		for _, p := range podProcesses(c.name) {
			if p.Label == victimPod {
				left = append(left, p)
			}
		}
		return len(left) == 0, fmt.Sprintf("%v", left)
	})
	e2ekit.Eventually(t, 15*time.Second, "traffic after the kill", func() (bool, string) {
		return tr.Count(afterKill) >= 20, fmt.Sprintf("%d replies", tr.Count(afterKill))
	})
	for _, r := range tr.Stop() {
		if r.Err != nil || r.Status != http.StatusOK {
			t.Errorf("a request (phase %d): %v, want 200", r.Phase, r.Reply)
		}
		if r.Phase == afterKill && r.BackendID == victim {
			t.Errorf("a request sent after the kill reached the killed instance: %v", r.Reply)
		}
	}
}
