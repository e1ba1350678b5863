package kubernetes

import (
	"strings"
	"testing"
	"time"
)

// TestFirstRequestCreatesReplicaSet: the first request for a service
// makes the router create its ReplicaSet (one replica, labelled with the
// service), the controller creates a pod, the fake kubelet runs its
// kitchen, and the request is answered by that process: its backend id is
// the pod's instance.
func TestFirstRequestCreatesReplicaSet(t *testing.T) {
	t.Parallel()
	c := startRouter(t)
	svc := kitchenService(nil)
	start := time.Now()
	r := c.Send(svc, nil)
	took := time.Since(start)
	if r.Err != nil || r.Status != 200 || r.ServiceID == "" {
		t.Fatalf("first request: %v, want 200", r)
	}
	t.Logf("cold start through the API server: %s", took.Round(time.Millisecond))
	rs := c.replicaSet(r.ServiceID)
	if rs == nil {
		t.Fatalf("no ReplicaSet for %s in namespace %s", r.ServiceID, c.namespace)
	}
	if replicas(rs) != 1 || rs.Labels["waiter/cluster"] != c.name {
		t.Errorf("ReplicaSet %s: replicas %d, labels %v", rs.Name, replicas(rs), rs.Labels)
	}
	pods, _ := c.pods(rs)
	if len(pods) != 1 || !strings.HasPrefix(r.BackendID, pods[0]+"-") {
		t.Fatalf("backend %q, pods %v: the request was not served by the ReplicaSet's pod", r.BackendID, pods)
	}
	procs := podProcesses(c.name)
	found := false
	for _, p := range procs {
		if p.Label == pods[0] && strings.HasPrefix(p.Cmdline, bins.kitchen) {
			found = true
		}
	}
	if !found {
		t.Errorf("no kitchen process of pod %s: %v", pods[0], procs)
	}
	a := c.App(r.ServiceID)
	if a.InstanceCounts.Healthy != 1 || a.InstanceCounts.Requested != 1 {
		t.Errorf("GET /apps/%s: %v", r.ServiceID, a)
	}
}
