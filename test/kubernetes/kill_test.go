package kubernetes

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
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
	id := c.start(svc)
	var originals []string
	eventually(t, 30*time.Second, "2 healthy instances", func() (bool, string) {
		a := c.app(id)
		originals = originals[:0]
		for _, in := range a.Instances.Active {
			originals = append(originals, in.ID)
		}
		return a.InstanceCounts.Healthy == 2 && len(originals) == 2, a.String()
	})
	tr := c.startTraffic(svc, 1)
	eventually(t, 10*time.Second, "traffic flowing", func() (bool, string) {
		return tr.count(beforeKill) >= 20, fmt.Sprintf("%d replies", tr.count(beforeKill))
	})
	tr.pause()
	last, _ := tr.last()
	victim := last.backendID
	code, res := c.killInstance(id, victim)
	tr.setPhase(afterKill)
	tr.resume()
	if code != http.StatusOK || !res.Success {
		t.Fatalf("kill %s: %d %+v", victim, code, res)
	}
	victimPod := victim[:strings.LastIndexByte(victim, '-')]
	took := eventually(t, 30*time.Second, "the victim's pod gone, 2 replicas, a replacement Ready", func() (bool, string) {
		rs := c.replicaSet(id)
		pods, ready := c.pods(rs)
		return replicas(rs) == 2 && len(pods) == 2 && ready == 2 && !slices.Contains(pods, victimPod),
			fmt.Sprintf("replicas %d, pods %v, ready %d", replicas(rs), pods, ready)
	})
	t.Logf("the ReplicaSet replaced the killed pod in %s", took.Round(time.Millisecond))
	eventually(t, 15*time.Second, "the victim's processes stopped", func() (bool, string) {
		var left []podProcess
		for _, p := range podProcesses(c.name) {
			if p.pod == victimPod {
				left = append(left, p)
			}
		}
		return len(left) == 0, fmt.Sprintf("%v", left)
	})
	eventually(t, 15*time.Second, "traffic after the kill", func() (bool, string) {
		return tr.count(afterKill) >= 20, fmt.Sprintf("%d replies", tr.count(afterKill))
	})
	for _, r := range tr.stop() {
		if r.err != nil || r.status != http.StatusOK {
			t.Errorf("a request (phase %d): %v, want 200", r.phase, r.reply)
		}
		if r.phase == afterKill && r.backendID == victim {
			t.Errorf("a request sent after the kill reached the killed instance: %v", r.reply)
		}
	}
}
