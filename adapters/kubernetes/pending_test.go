package kubernetes

import (
	"context"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/fakekubelet"
	"github.com/waiter-go/waiter/internal/kubetest"
)

// pendingPorts are the pod ports of TestKillWithAPendingPod's own node,
// apart from the shared node's (main_test.go).
var pendingPorts = [2]int{32450, 32499}

// A scale-down kill while a pod is Pending (no node has room for it):
// the chosen running pod goes, the ReplicaSet controller, should it act
// on the lowered replicas before the pod's deletion, removes the pending
// pod (it ranks unscheduled pods first), and no other running pod is
// killed. The node is the test's own, with room for exactly two pods, so
// that the third stays Pending whatever the parallel tests run.
func TestKillWithAPendingPod(t *testing.T) {
	t.Parallel()
	kc := kubetest.Start(t, kubetest.Options{Kubelet: fakekubelet.Config{CPU: 1, MemoryMiB: 1024, PortRange: pendingPorts}})
	s, err := New(Config{REST: kc.REST, Cluster: "pending"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	d := describe(t, s, "pending", engine.Params{"cpus": 0.4})
	retry(t, "create", func(ctx context.Context) error { return s.CreateService(ctx, d, 2) })
	o := await(t, s, d.ID, "2 healthy", healthyN(2))
	app := appName(d.ID)
	pods := func(ctx context.Context) []corev1.Pod {
		list, err := kc.Client.CoreV1().Pods("waiter").List(ctx, metav1.ListOptions{LabelSelector: labelApp + "=" + app})
		if err != nil {
			t.Fatal(err)
		}
		return list.Items
	}

	retry(t, "scale", func(ctx context.Context) error { return s.ScaleService(ctx, d.ID, 3, false) })
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var pending string
	for pending == "" {
		for _, p := range pods(ctx) {
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
					pending = p.Name
				}
			}
		}
		if ctx.Err() != nil {
			t.Fatal("the third pod was never marked unschedulable")
		}
		time.Sleep(20 * time.Millisecond)
	}
	list, err := kc.Client.CoreV1().Pods("waiter").List(ctx, metav1.ListOptions{LabelSelector: labelApp + "=" + app})
	if err != nil {
		t.Fatal(err)
	}
	w, err := kc.Client.CoreV1().Pods("waiter").Watch(ctx, metav1.ListOptions{LabelSelector: labelApp + "=" + app,
		ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	slices.SortFunc(o.Instances, func(a, b engine.ObservedInstance) int { return a.StartedAt.Compare(b.StartedAt) })
	victim, _, _ := podOf(o.Instances[0].ID)
	other, _, _ := podOf(o.Instances[1].ID)
	retry(t, "kill", func(ctx context.Context) error {
		return s.KillInstance(ctx, d.ID, o.Instances[0].ID, engine.KillOptions{})
	})

	// Settled: two replicas, two pods running and healthy (the pending
	// pod, or its replacement, takes the victim's room).
	deleted := map[string]bool{}
	healthy := healthyN(2)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var after engine.Observation
	for !healthy(after) {
		select {
		case ev := <-w.ResultChan():
			if p, ok := ev.Object.(*corev1.Pod); ok && (ev.Type == watch.Deleted || p.DeletionTimestamp != nil) {
				deleted[p.Name] = true
			}
		case <-tick.C:
			after, _ = s.ObserveService(ctx, d.ID)
		case <-ctx.Done():
			t.Fatalf("never settled on 2 healthy pods; last %+v; deleted %v", after, deleted)
		}
	}
	if !deleted[victim] {
		t.Errorf("the killed pod %s was not deleted; deleted %v", victim, deleted)
	}
	for name := range deleted {
		if name != victim && name != pending {
			t.Errorf("pod %s was deleted; only %s (chosen) and %s (pending) may go", name, victim, pending)
		}
	}
	if deleted[other] {
		t.Errorf("the running pod %s was killed in the victim's place", other)
	}
	if !slices.ContainsFunc(after.Instances, func(in engine.ObservedInstance) bool { n, _, _ := podOf(in.ID); return n == other }) {
		t.Errorf("the running pod %s is no longer an instance: %+v", other, after.Instances)
	}
	if after.Requested != 2 {
		t.Errorf("replicas %d after the kill, want 2", after.Requested)
	}
	t.Logf("deleted %v (victim %s, pending %s)", deleted, victim, pending)
}
