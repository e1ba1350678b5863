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
	r := c.send(svc, nil)
	took := time.Since(start)
	if r.err != nil || r.status != 200 || r.serviceID == "" {
		t.Fatalf("first request: %v, want 200", r)
	}
	t.Logf("cold start through the API server: %s", took.Round(time.Millisecond))
	rs := c.replicaSet(r.serviceID)
	if rs == nil {
		t.Fatalf("no ReplicaSet for %s in namespace %s", r.serviceID, c.namespace)
	}
	if replicas(rs) != 1 || rs.Labels["waiter/cluster"] != c.name {
		t.Errorf("ReplicaSet %s: replicas %d, labels %v", rs.Name, replicas(rs), rs.Labels)
	}
	pods, _ := c.pods(rs)
	if len(pods) != 1 || !strings.HasPrefix(r.backendID, pods[0]+"-") {
		t.Fatalf("backend %q, pods %v: the request was not served by the ReplicaSet's pod", r.backendID, pods)
	}
	procs := podProcesses(c.name)
	found := false
	for _, p := range procs {
		if p.pod == pods[0] && strings.HasPrefix(p.cmdline, bins.kitchen) {
			found = true
		}
	}
	if !found {
		t.Errorf("no kitchen process of pod %s: %v", pods[0], procs)
	}
	a := c.app(r.serviceID)
	if a.InstanceCounts.Healthy != 1 || a.InstanceCounts.Requested != 1 {
		t.Errorf("GET /apps/%s: %v", r.serviceID, a)
	}
}
