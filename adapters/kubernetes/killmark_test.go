package kubernetes

import (
	"context"
	"errors"
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

// killMarkPorts are the pod ports of TestKillWaitsForTheControllerToSeeItsMark's
// own node, apart from the shared node's (main_test.go).
var killMarkPorts = [2]int{32400, 32449}

// A scale-down kill lowers the replicas only once the ReplicaSet
// controller has seen which pod it chose: with the controller manager
// stopped, the kill marks the pod and then waits, leaving the replicas
// and every pod as they were, and fails with ErrUnavailable when its
// context ends, taking its mark back; with the controller back, the kill
// goes through and removes that pod only. (The controller's pod watch can lag its
// ReplicaSet watch; lowered replicas seen first made it remove a pod
// still serving.)
func TestKillWaitsForTheControllerToSeeItsMark(t *testing.T) {
	t.Parallel()
	kc := kubetest.Start(t, kubetest.Options{Kubelet: fakekubelet.Config{PortRange: killMarkPorts}})
	s, err := New(Config{REST: kc.REST, Cluster: "killmark"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	d := describe(t, s, "killmark", nil)
	retry(t, "create", func(ctx context.Context) error { return s.CreateService(ctx, d, 2) })
	o := await(t, s, d.ID, "2 healthy", healthyN(2))
	victim, other := o.Instances[0], o.Instances[1]
	victimPod, _, _ := podOf(victim.ID)
	otherPod, _, _ := podOf(other.ID)

	if err := kc.StopControllerManager(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	err = s.KillInstance(ctx, d.ID, victim.ID, engine.KillOptions{})
	cancel()
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("kill with no ReplicaSet controller: %v, want ErrUnavailable", err)
	}
	t.Logf("kill with no ReplicaSet controller: %v", err)
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rs, err := kc.Client.AppsV1().ReplicaSets("waiter").Get(ctx, appName(d.ID), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *rs.Spec.Replicas != 2 {
		t.Errorf("replicas %d while the controller has not seen the mark, want 2", *rs.Spec.Replicas)
	}
	for _, name := range []string{victimPod, otherPod} {
		p, err := kc.Client.CoreV1().Pods("waiter").Get(ctx, name, metav1.GetOptions{})
		if err != nil || p.DeletionTimestamp != nil {
			t.Fatalf("pod %s deleted before the controller saw the mark (%v)", name, err)
		}
		// The kill that gave up took its mark back: a later kill must not
		// find this pod the controller's first choice.
		if p.Labels[labelKilling] != "false" || p.Annotations[annotDeletionCost] != "" {
			t.Errorf("pod %s after the kill gave up: %s=%q, %s=%q; want \"false\" and none",
				name, labelKilling, p.Labels[labelKilling], annotDeletionCost, p.Annotations[annotDeletionCost])
		}
	}

	if err := kc.StartControllerManager(); err != nil {
		t.Fatal(err)
	}
	retry(t, "kill", func(ctx context.Context) error { return s.KillInstance(ctx, d.ID, victim.ID, engine.KillOptions{}) })
	after := await(t, s, d.ID, "only the other pod", func(o engine.Observation) bool {
		return o.Requested == 1 && len(o.Instances) == 1 && o.Instances[0].ID == other.ID
	})
	if after.Scheduled != 1 {
		t.Errorf("scheduled %d after the kill, want 1", after.Scheduled)
	}
}

// lagPorts are the pod ports of TestKillWhenTheControllerSeesPodsLate's
// own node, apart from the shared node's (main_test.go).
var lagPorts = [2]int{32350, 32399}

// podWatchLag is how late the controller manager's pod watch delivers in
// TestKillWhenTheControllerSeesPodsLate: far longer than the kill's
// calls take.
const podWatchLag = time.Second

// The race behind the outage test's 502, made deterministic: the
// controller manager's pod watch delivers a second late (a proxy holds it
// back), its ReplicaSet watch at once. Three pods run and are Ready; the
// kill chooses the oldest, which the controller, ranking unmarked pods,
// would keep longest (it removes the newest Ready pod first). Had the
// replicas been lowered at once, the controller would act on them with
// the victim still unmarked in its cache and delete another pod (as it
// did before KillInstance waited for the mark to be seen). Only the
// victim may go.
func TestKillWhenTheControllerSeesPodsLate(t *testing.T) {
	t.Parallel()
	kc := kubetest.Start(t, kubetest.Options{Kubelet: fakekubelet.Config{PortRange: lagPorts}, ControllerPodWatchLag: podWatchLag})
	s, err := New(Config{REST: kc.REST, Cluster: "lag"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	d := describe(t, s, "lag", nil)
	retry(t, "create", func(ctx context.Context) error { return s.CreateService(ctx, d, 3) })
	o := await(t, s, d.ID, "3 healthy", healthyN(3))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	app := appName(d.ID)
	rsc := kc.Client.AppsV1().ReplicaSets("waiter")
	// The controller's own cache has all three Ready once its status
	// says so.
	for {
		rs, err := rsc.Get(ctx, app, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rs.Status.ReadyReplicas == 3 {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the controller never saw 3 Ready pods: %+v", rs.Status)
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
	victim := o.Instances[0]
	victimPod, _, _ := podOf(victim.ID)
	start := time.Now()
	retry(t, "kill", func(ctx context.Context) error { return s.KillInstance(ctx, d.ID, victim.ID, engine.KillOptions{}) })
	t.Logf("kill took %s with the controller's pod watch %s late", time.Since(start).Round(time.Millisecond), podWatchLag)

	// Settled: two healthy instances, and the controller's status (from
	// its lagging cache) agrees, so any pod it was going to delete it has.
	deleted := map[string]bool{}
	healthy := healthyN(2)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for settled := false; !settled; {
		select {
		case ev := <-w.ResultChan():
			if p, ok := ev.Object.(*corev1.Pod); ok && (ev.Type == watch.Deleted || p.DeletionTimestamp != nil) {
				deleted[p.Name] = true
			}
		case <-tick.C:
			o, _ := s.ObserveService(ctx, d.ID)
			rs, err := rsc.Get(ctx, app, metav1.GetOptions{})
			settled = err == nil && healthy(o) && rs.Status.ObservedGeneration >= rs.Generation &&
				rs.Status.Replicas == 2 && rs.Status.ReadyReplicas == 2 && deleted[victimPod]
		case <-ctx.Done():
			t.Fatalf("never settled on 2 pods; deleted %v", deleted)
		}
	}
	for name := range deleted {
		if name != victimPod {
			t.Errorf("pod %s was deleted too; only %s was chosen", name, victimPod)
		}
	}
}
