package kubernetes

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/waiter-go/waiter/engine"
)

// A ReplicaSet created before kills were marked has no waiter/killing
// label in its pod template: every pod counts as fully labelled, marked
// or not, so the controller's status can never show a mark. A kill must
// not wait for one (it would give up after markSeenTimeout with
// ErrUnavailable and take its mark back, so the service could never
// scale down); it goes ahead as kills did then, and removes its victim.
func TestKillOnAReplicaSetFromBeforeKillMarks(t *testing.T) {
	t.Parallel()
	s, err := New(Config{REST: cluster.REST, Cluster: "legacyrs"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	d := describe(t, s, "legacyrs", nil)
	retry(t, "create", func(ctx context.Context) error { return s.CreateService(ctx, d, 2) })
	o := await(t, s, d.ID, "2 healthy", healthyN(2))
	victim, other := o.Instances[0], o.Instances[1]

	// Make the ReplicaSet what an older router created.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	patch := []byte(`[{"op":"remove","path":"/spec/template/metadata/labels/waiter~1killing"}]`)
	if _, err := cluster.Client.AppsV1().ReplicaSets("waiter").Patch(ctx, appName(d.ID), types.JSONPatchType, patch,
		metav1.PatchOptions{}); err != nil {
		t.Fatalf("removing %s from the pod template: %v", labelKilling, err)
	}
	for {
		if rs := s.replicaSetOf(d.ID); rs != nil {
			if _, marked := rs.Spec.Template.Labels[labelKilling]; !marked {
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("the scheduler's cache never saw the template without its kill label")
		case <-time.After(20 * time.Millisecond):
		}
	}

	killCtx, killCancel := context.WithTimeout(ctx, markSeenTimeout/2)
	start := time.Now()
	err = s.KillInstance(killCtx, d.ID, victim.ID, engine.KillOptions{})
	killCancel()
	if err != nil {
		t.Fatalf("kill on a ReplicaSet from before kill marks: %v after %v, want it done without waiting for a mark",
			err, time.Since(start).Round(time.Millisecond))
	}
	after := await(t, s, d.ID, "only the other pod", func(o engine.Observation) bool {
		return o.Requested == 1 && len(o.Instances) == 1 && o.Instances[0].ID == other.ID
	})
	if after.Scheduled != 1 {
		t.Errorf("scheduled %d after the kill, want 1", after.Scheduled)
	}
}
