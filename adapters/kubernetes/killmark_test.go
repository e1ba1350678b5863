package kubernetes

import (
	"context"
	"errors"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

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
// context ends; with the controller back, the kill goes through and
// removes that pod only. (The controller's pod watch can lag its
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
		if want := map[bool]string{true: "true", false: "false"}[name == victimPod]; p.Labels[labelKilling] != want {
			t.Errorf("pod %s: %s=%q, want %q", name, labelKilling, p.Labels[labelKilling], want)
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
