package kubernetes

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"
	"pgregory.net/rapid"

	"github.com/waiter-go/waiter/engine"
)

// The API server hands the adapter whatever its clients wrote: client-go
// decodes strictly, so a broken answer is an error, but a well-formed
// object may still be odd. A buggy kubelet or controller, another tool,
// or a person with kubectl can leave any field empty, null or strange:
// no container status or one of another name, a container running with
// no start time, a negative restart count, a port annotation that is not
// a number, a readiness probe on a named port, a ReplicaSet with no
// replica count, two ReplicaSets for one service. The watches feed such
// objects to notePod as they come, and Observe reads them. Neither may
// panic (the driver's goroutine calls Observe: a panic ends the router),
// and what Observe reports must still hold together: the replica count
// of the service's oldest live ReplicaSet (the first by name of two
// made in the same second, whatever order the cache lists them in), no
// more instances than pods scheduled, each with an id of its own and a
// host.

// oddPod draws a pod of service id (or of none), in any state.
func oddPod(t *rapid.T, name, id string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "alice", Annotations: map[string]string{}}}
	if rapid.IntRange(0, 9).Draw(t, "annotated") > 0 {
		p.Annotations[annotServiceID] = id
	}
	switch rapid.IntRange(0, 3).Draw(t, "port annotation") {
	case 1:
		p.Annotations[annotServicePort] = "31001"
	case 2:
		p.Annotations[annotServicePort] = "not a port"
	case 3:
		p.Annotations[annotServicePort] = "-5"
	}
	if rapid.Bool().Draw(t, "deleting") {
		p.DeletionTimestamp = &metav1.Time{Time: time.Unix(1, 0)}
	}
	p.Status.Phase = rapid.SampledFrom([]corev1.PodPhase{"", corev1.PodPending, corev1.PodRunning,
		corev1.PodFailed, corev1.PodSucceeded, "Odd"}).Draw(t, "phase")
	if rapid.Bool().Draw(t, "ip") {
		p.Status.PodIP = "10.0.0." + fmt.Sprint(rapid.IntRange(1, 9).Draw(t, "ip byte"))
	}
	for range rapid.IntRange(0, 2).Draw(t, "conditions") {
		p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{
			Type:   rapid.SampledFrom([]corev1.PodConditionType{corev1.PodScheduled, corev1.PodReady, ""}).Draw(t, "condition"),
			Status: rapid.SampledFrom([]corev1.ConditionStatus{corev1.ConditionFalse, corev1.ConditionTrue, ""}).Draw(t, "status"),
			Reason: rapid.SampledFrom([]string{corev1.PodReasonUnschedulable, "", "Odd"}).Draw(t, "reason")})
	}
	if rapid.IntRange(0, 3).Draw(t, "containers") > 0 {
		c := corev1.Container{Name: containerName}
		for range rapid.IntRange(0, 2).Draw(t, "ports") {
			c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: int32(rapid.IntRange(-1, 65536).Draw(t, "port"))})
		}
		switch rapid.IntRange(0, 3).Draw(t, "probe") {
		case 1:
			c.ReadinessProbe = &corev1.Probe{}
		case 2:
			c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: "/status", Port: intstr.FromInt32(int32(rapid.IntRange(0, 65536).Draw(t, "probe port")))}}}
		case 3:
			c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: "/status", Port: intstr.FromString("http"), Scheme: corev1.URISchemeHTTPS}}}
		}
		p.Spec.Containers = append(p.Spec.Containers, c)
	}
	for range rapid.IntRange(0, 2).Draw(t, "container statuses") {
		cs := corev1.ContainerStatus{Name: rapid.SampledFrom([]string{containerName, "sidecar", ""}).Draw(t, "container name"),
			Ready: rapid.Bool().Draw(t, "ready"), RestartCount: int32(rapid.IntRange(-2, 12).Draw(t, "restarts")),
			Image: "img"}
		switch rapid.IntRange(0, 3).Draw(t, "state") {
		case 1:
			cs.State.Running = &corev1.ContainerStateRunning{}
			if rapid.Bool().Draw(t, "started") {
				cs.State.Running.StartedAt = metav1.Time{Time: time.Unix(1000, 0)}
			}
		case 2:
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: rapid.SampledFrom([]string{"CrashLoopBackOff",
				"ErrImagePull", "ImagePullBackOff", "", "Odd"}).Draw(t, "waiting reason")}
		case 3:
			cs.State.Terminated = &corev1.ContainerStateTerminated{}
		}
		if rapid.Bool().Draw(t, "terminated before") {
			cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{
				ExitCode: int32(rapid.SampledFrom([]int{0, 1, 126, 127, 137, 143, -1}).Draw(t, "exit code")),
				Signal:   int32(rapid.IntRange(0, 9).Draw(t, "signal")),
				Reason:   rapid.SampledFrom([]string{"OOMKilled", "Error", "Completed", ""}).Draw(t, "termination reason")}
		}
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, cs)
	}
	return p
}

// oddReplicaSet draws a ReplicaSet of service id.
func oddReplicaSet(t *rapid.T, name, id string, created int64) *appsv1.ReplicaSet {
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "alice",
		Annotations: map[string]string{annotServiceID: id}, CreationTimestamp: metav1.Time{Time: time.Unix(created, 0)}}}
	if rapid.IntRange(0, 3).Draw(t, "replicas set") > 0 {
		n := int32(rapid.IntRange(-1, 5).Draw(t, "replicas"))
		rs.Spec.Replicas = &n
	}
	if rapid.IntRange(0, 4).Draw(t, "rs deleting") == 0 {
		rs.DeletionTimestamp = &metav1.Time{Time: time.Unix(2, 0)}
	}
	return rs
}

func TestOddObjectsAreNoPanic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg, err := Config{Namespace: "alice", ProbeTimeout: -1, Logger: slog.New(slog.DiscardHandler)}.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		index := cache.Indexers{byService: func(obj any) ([]string, error) {
			if m, ok := obj.(metav1.Object); ok {
				if id := m.GetAnnotations()[annotServiceID]; id != "" {
					return []string{id}, nil
				}
			}
			return nil, nil
		}}
		s := &Scheduler{cfg: cfg, log: cfg.Logger, client: fake.NewClientset(), synced: make(chan struct{}), stop: make(chan struct{}),
			failed: map[string][]engine.ObservedInstance{}, facts: map[string]fact{}}
		close(s.synced)
		s.replicaSets = &watched{Indexer: cache.NewIndexer(cache.MetaNamespaceKeyFunc, index), changed: func(any, bool) {}}
		s.pods = &watched{Indexer: cache.NewIndexer(cache.MetaNamespaceKeyFunc, index), changed: func(obj any, gone bool) {
			if !gone {
				s.notePod(obj)
			}
		}}
		ids := []string{cfg.ServicePrefix + "a", cfg.ServicePrefix + "b", "not-waiters"}
		replicas := map[string]*appsv1.ReplicaSet{} // the oldest live ReplicaSet of each service
		for i := range rapid.IntRange(0, 4).Draw(t, "replica sets") {
			id := rapid.SampledFrom(ids).Draw(t, "rs service")
			rs := oddReplicaSet(t, fmt.Sprintf("rs%d", i), id, int64(rapid.IntRange(0, 3).Draw(t, "created")))
			if err := s.replicaSets.Add(rs); err != nil {
				t.Fatal(err)
			}
			if old := replicas[id]; rs.DeletionTimestamp == nil && (old == nil || rs.CreationTimestamp.Before(&old.CreationTimestamp) ||
				rs.CreationTimestamp.Equal(&old.CreationTimestamp) && rs.Name < old.Name) {
				replicas[id] = rs
			}
		}
		// The watch delivers each pod once or more, changed or not.
		for range rapid.IntRange(0, 12).Draw(t, "pod events") {
			name := fmt.Sprintf("pod%d", rapid.IntRange(0, 5).Draw(t, "pod"))
			p := oddPod(t, name, rapid.SampledFrom(ids).Draw(t, "pod service"))
			if rapid.IntRange(0, 5).Draw(t, "deleted") == 0 {
				_ = s.pods.Delete(p)
			} else if err := s.pods.Update(p); err != nil {
				t.Fatal(err)
			}
		}
		obs, err := s.Observe(context.Background())
		if err != nil {
			t.Fatalf("Observe: %v", err)
		}
		for id, ob := range obs {
			rs := replicas[id]
			if rs == nil || !strings.HasPrefix(id, cfg.ServicePrefix) {
				t.Fatalf("observed %s, which has no live ReplicaSet of Waiter's", id)
			}
			want := 0
			if rs.Spec.Replicas != nil {
				want = int(*rs.Spec.Replicas)
			}
			if ob.Requested != want || !ob.Exists {
				t.Fatalf("%s: requested %d (exists %v), want %d from the oldest live ReplicaSet", id, ob.Requested, ob.Exists, want)
			}
			if len(ob.Instances) > ob.Scheduled || len(ob.Failed) > maxFailedInstances {
				t.Fatalf("%s: %d instances of %d scheduled, %d failed", id, len(ob.Instances), ob.Scheduled, len(ob.Failed))
			}
			seen := map[string]bool{}
			for _, in := range ob.Instances {
				if in.ID == "" || seen[in.ID] || in.Host == "" {
					t.Fatalf("%s: instance %+v: no id, a repeated one, or no host", id, in)
				}
				seen[in.ID] = true
			}
		}
		for id := range replicas {
			if _, ok := obs[id]; !ok && strings.HasPrefix(id, cfg.ServicePrefix) {
				t.Fatalf("%s has a live ReplicaSet but no observation", id)
			}
		}
	})
}
