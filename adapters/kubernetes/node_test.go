package kubernetes

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The fake kubelet behind these tests is a node as the control plane
// sees one: registered Ready with its capacity, and its Lease in
// kube-node-lease renewed (kubetest renews it every 2 s), so that no
// node-lifecycle logic would take it for gone.
func TestFakeNodeIsReadyAndRenewsItsLease(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	node, err := cluster.Client.CoreV1().Nodes().Get(ctx, "fake-node", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ready := false
	for _, c := range node.Status.Conditions {
		ready = ready || c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue
	}
	if !ready || node.Status.Allocatable.Cpu().MilliValue() != 4000 || node.Status.Allocatable.Memory().Value() != 8192<<20 {
		t.Errorf("node not Ready with 4 CPUs and 8 GiB: %+v", node.Status)
	}
	leases := cluster.Client.CoordinationV1().Leases(corev1.NamespaceNodeLease)
	// The first renewal may come a period after the node registered: the
	// API server creates kube-node-lease itself, shortly after it starts.
	var first *time.Time
	for {
		l, err := leases.Get(ctx, "fake-node", metav1.GetOptions{})
		switch {
		case err == nil && (l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != "fake-node" || l.Spec.RenewTime == nil):
			t.Fatalf("lease %+v, want held by fake-node and renewed", l.Spec)
		case err == nil && first == nil:
			first = &l.Spec.RenewTime.Time
		case err == nil && l.Spec.RenewTime.After(*first):
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("no lease renewal seen (first %v, last error %v)", first, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
