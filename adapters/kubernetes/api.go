package kubernetes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"

	"github.com/waiter-go/waiter/engine"
)

// CreateService creates d's ReplicaSet with the given replicas. One that
// exists already (the same name in the same namespace) is not an error.
func (s *Scheduler) CreateService(ctx context.Context, d *engine.Description, instances int) error {
	if err := s.ready(ctx, "create"); err != nil {
		return err
	}
	p, err := s.place(d)
	if err != nil {
		return err
	}
	rs, err := s.replicaSet(d, p, max(instances, 0))
	if err != nil {
		return err
	}
	_, err = s.client.AppsV1().ReplicaSets(p.namespace).Create(ctx, rs, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return wrap("create "+d.ID, err, ErrServiceNotFound)
}

// ScaleService sets the ReplicaSet's replicas. Like Waiter's, it never
// lowers them below the pods that run, so the ReplicaSet controller kills
// no pod of its own choosing: instances are removed by KillInstance,
// which names them (with force the engine asks for
// engine.ForcedScaleCount anyway).
func (s *Scheduler) ScaleService(ctx context.Context, serviceID string, instances int, force bool) error {
	if err := s.ready(ctx, "scale"); err != nil {
		return err
	}
	_, err := s.updateReplicas(ctx, "scale "+serviceID, serviceID, func(_ *appsv1.ReplicaSet, pods int) int32 {
		return int32(max(instances, pods, 0))
	})
	return err
}

// updateReplicas sets a ReplicaSet's replicas to what target says, given
// the ReplicaSet as read and the pods of the service that are not being
// deleted, with optimistic concurrency: on a conflict it reads again and
// retries (Config.MaxPatchRetries times, as Waiter's
// k8s-patch-with-retries).
//
// It returns the ReplicaSet's generation after its update, 0 when the
// replicas were already what target says.
func (s *Scheduler) updateReplicas(ctx context.Context, call, serviceID string, target func(*appsv1.ReplicaSet, int) int32) (int64, error) {
	cached := s.replicaSetOf(serviceID)
	if cached == nil {
		return 0, fmt.Errorf("kubernetes: %s: %w", call, ErrServiceNotFound)
	}
	rsc := s.client.AppsV1().ReplicaSets(cached.Namespace)
	var err error
	for attempt := 0; attempt <= s.cfg.MaxPatchRetries; attempt++ {
		var rs *appsv1.ReplicaSet
		rs, err = rsc.Get(ctx, cached.Name, metav1.GetOptions{})
		if err != nil {
			return 0, wrap(call, err, ErrServiceNotFound)
		}
		n := target(rs, s.livePods(serviceID))
		if rs.Spec.Replicas != nil && *rs.Spec.Replicas == n {
			return 0, nil
		}
		rs.Spec.Replicas = &n
		var updated *appsv1.ReplicaSet
		updated, err = rsc.Update(ctx, rs, metav1.UpdateOptions{})
		if err == nil {
			return updated.Generation, nil
		}
		if !apierrors.IsConflict(err) {
			return 0, wrap(call, err, ErrServiceNotFound)
		}
	}
	return 0, wrap(call, err, ErrServiceNotFound)
}

// waitReplicasSeen waits, at most markSeenTimeout, until the ReplicaSet
// controller has acted on the service's ReplicaSet at generation gen (its
// status's observedGeneration). A kill deletes its pod only then: the
// controller's pod watch can deliver the deletion before its ReplicaSet
// watch delivers the lowered replicas, and it then counts a pod short and
// starts a replacement it removes a moment later (a second pod scheduled
// after the kill in TestKillWaitsForTheControllerToSeeItsMark). Past the
// bound, or on an error, the kill deletes the pod anyway, as before.
func (s *Scheduler) waitReplicasSeen(ctx context.Context, serviceID string, gen int64) {
	cached := s.replicaSetOf(serviceID)
	if cached == nil || gen == 0 {
		return
	}
	_, _ = s.awaitReplicaSet(ctx, cached, func(rs *appsv1.ReplicaSet) bool { return rs.Status.ObservedGeneration >= gen })
}

// errNotSeen is awaitReplicaSet's answer when markSeenTimeout passed.
var errNotSeen = errors.New("not seen in time")

// awaitReplicaSet reads the ReplicaSet cached names from the API server
// every markSeenPoll until seen holds, for at most markSeenTimeout. It
// reads the API server, not the watch's copy: the copy's status can lag
// the pods this scheduler's own watch has seen, and comparing the two let
// a kill go ahead before the controller saw its mark (a 502 in
// test/kubernetes's outage test, the first run with the copy). It returns
// the last read, and the read's error, ctx's, or errNotSeen.
func (s *Scheduler) awaitReplicaSet(ctx context.Context, cached *appsv1.ReplicaSet, seen func(*appsv1.ReplicaSet) bool) (*appsv1.ReplicaSet, error) {
	deadline := time.NewTimer(markSeenTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(markSeenPoll)
	defer tick.Stop()
	for {
		rs, err := s.client.AppsV1().ReplicaSets(cached.Namespace).Get(ctx, cached.Name, metav1.GetOptions{})
		if err != nil || seen(rs) {
			return rs, err
		}
		select {
		case <-ctx.Done():
			return rs, ctx.Err()
		case <-deadline.C:
			return rs, errNotSeen
		case <-tick.C:
		}
	}
}

// livePods counts the service's pods that are not being deleted (what
// the ReplicaSet controller counts as its replicas).
func (s *Scheduler) livePods(serviceID string) int {
	n := 0
	for _, p := range s.podsOf(serviceID) {
		if p.DeletionTimestamp == nil && p.Status.Phase != corev1.PodFailed && p.Status.Phase != corev1.PodSucceeded {
			n++
		}
	}
	return n
}

// KillInstance deletes the instance's pod.
//
// With opts.Replace the replicas stay and the ReplicaSet controller
// starts a replacement (an operator's kill). Otherwise the replicas drop
// by one in the same step, and no other pod may go in its place. When
// the controller finds more pods than replicas it removes the first by
// its ranking of the pods in its own cache: unscheduled, then pending,
// then not Ready, then the lowest pod-deletion-cost. So the victim is
// first marked not Ready (its status's Ready condition), then given the
// lowest deletion cost and the label waiter/killing=true, which puts it
// ahead of every running pod, ready or not. The controller's cache of
// pods is fed by a watch of its own, which can lag its watch of
// ReplicaSets: lowered replicas seen before the marks made it rank the
// pods unmarked and remove one still serving (a 502 in the Kubernetes
// end-to-end outage test). So the replicas are lowered only once the
// controller has shown that it sees the mark: its status counts the
// marked pod out of fullyLabeledReplicas (waitMarkSeen). Then the pod is
// deleted, once the controller has acted on the lowered replicas
// (waitReplicasSeen, bounded), so that it also goes when the controller
// lags. Waiter's own
// order (delete with a 300 s grace, scale down, delete again) leaves a
// window in which the controller counts the terminating pod out and
// creates a replacement, and a deletion cost alone loses to any pod that
// is not Ready yet (a pod started by a scale-up a moment ago). Only a
// pod still pending (not bound, or its container not started) ranks
// ahead of the victim, and the controller removes it instead: the
// replicas then match the pods that run. opts.Force deletes with no
// grace period (SIGKILL at once).
func (s *Scheduler) KillInstance(ctx context.Context, serviceID, instanceID string, opts engine.KillOptions) error {
	call := "kill " + instanceID
	if err := s.ready(ctx, "kill"); err != nil {
		return err
	}
	name, restarts, ok := podOf(instanceID)
	if !ok {
		return fmt.Errorf("kubernetes: %s: %w: not an instance id", call, ErrInstanceNotFound)
	}
	var pod *corev1.Pod
	for _, p := range s.podsOf(serviceID) {
		if p.Name == name {
			pod = p
		}
	}
	if pod == nil || pod.DeletionTimestamp != nil || restartCount(pod) != restarts {
		return fmt.Errorf("kubernetes: %s: %w", call, ErrInstanceNotFound)
	}
	pods := s.client.CoreV1().Pods(pod.Namespace)
	del := metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &pod.UID}}
	if opts.Force {
		zero := int64(0)
		del.GracePeriodSeconds = &zero
	}
	if !opts.Replace {
		// Not Ready first: the controller sees the pod's changes in
		// order, so whenever it sees the label it also sees this.
		notReady, _ := json.Marshal(map[string]any{"status": map[string]any{"conditions": []corev1.PodCondition{{
			Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "WaiterKilling",
			Message: "chosen by Waiter to be removed", LastTransitionTime: metav1.Now()}}}})
		if _, err := pods.Patch(ctx, pod.Name, types.StrategicMergePatchType, notReady, metav1.PatchOptions{}, "status"); err != nil {
			return wrap(call, err, ErrInstanceNotFound)
		}
		mark, _ := json.Marshal(map[string]any{"metadata": map[string]any{
			"annotations": map[string]string{annotDeletionCost: strconv.Itoa(math.MinInt32)},
			"labels":      map[string]string{labelKilling: "true"}}})
		if _, err := pods.Patch(ctx, pod.Name, types.MergePatchType, mark, metav1.PatchOptions{}); err != nil {
			return wrap(call, err, ErrInstanceNotFound)
		}
		if err := s.waitMarkSeen(ctx, call, serviceID, pod.Name); err != nil {
			s.unmark(pods, pod.Name)
			return err
		}
		gen, err := s.updateReplicas(ctx, call, serviceID, func(rs *appsv1.ReplicaSet, _ int) int32 {
			if rs.Spec.Replicas == nil || *rs.Spec.Replicas <= 0 {
				return 0
			}
			return *rs.Spec.Replicas - 1
		})
		if err != nil {
			s.unmark(pods, pod.Name)
			return err
		}
		s.waitReplicasSeen(ctx, serviceID, gen)
	}
	err := pods.Delete(ctx, pod.Name, del)
	if !opts.Replace && (apierrors.IsNotFound(err) || apierrors.IsConflict(err)) {
		return nil // the ReplicaSet controller deleted it first
	}
	return wrap(call, err, ErrInstanceNotFound)
}

// unmark takes back a kill's label and deletion cost when the kill gives
// up, so that a pod left running (and maybe serving again) is not the
// controller's first choice when a later kill lowers the replicas. Best
// effort: the API server may be the reason the kill gave up.
func (s *Scheduler) unmark(pods corev1client.PodInterface, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{
		"annotations": map[string]any{annotDeletionCost: nil},
		"labels":      map[string]string{labelKilling: "false"}}})
	if _, err := pods.Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		s.log.Warn("kubernetes: unmarking a pod whose kill gave up", "pod", name, "err", err)
	}
}

// waitMarkSeen waits until the ReplicaSet controller's cache holds the
// kill mark of victim: its status (written from that cache) counts at
// least as many running pods out of fullyLabeledReplicas as this
// scheduler knows to be marked, the victim included. It gives up after
// markSeenTimeout with ErrUnavailable (no controller is acting on the
// ReplicaSet); KillInstance then takes the mark back.
func (s *Scheduler) waitMarkSeen(ctx context.Context, call, serviceID, victim string) error {
	cached := s.replicaSetOf(serviceID)
	if cached == nil {
		return fmt.Errorf("kubernetes: %s: %w", call, ErrServiceNotFound)
	}
	if cached.Spec.Template.Labels[labelKilling] != "false" {
		// A ReplicaSet created before kills were marked: its pods stay
		// fully labelled when marked, so the controller's status cannot
		// show the mark, and the kill goes ahead as it did then.
		return nil
	}
	marked := func() int32 {
		n := int32(1) // the victim, whether or not the watch has delivered its mark yet
		for _, p := range s.podsOf(serviceID) {
			if p.Name != victim && p.Labels[labelKilling] == "true" && p.DeletionTimestamp == nil &&
				p.Status.Phase != corev1.PodFailed && p.Status.Phase != corev1.PodSucceeded {
				n++
			}
		}
		return n
	}
	rs, err := s.awaitReplicaSet(ctx, cached, func(rs *appsv1.ReplicaSet) bool {
		return rs.Status.Replicas-rs.Status.FullyLabeledReplicas >= marked()
	})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errNotSeen):
		return fmt.Errorf("kubernetes: %s: %w: the ReplicaSet controller has not seen pod %s marked within %s (status: %d pods, %d fully labelled)",
			call, ErrUnavailable, victim, markSeenTimeout, rs.Status.Replicas, rs.Status.FullyLabeledReplicas)
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return fmt.Errorf("kubernetes: %s: %w: waiting for the ReplicaSet controller to see the kill: %w", call, ErrUnavailable, err)
	default:
		return wrap(call, err, ErrServiceNotFound)
	}
}

// DeleteService deletes the ReplicaSet and its pods. Waiter leaves the
// pods to Kubernetes' garbage collector (propagation Background); the
// pods are also deleted here, so that a cluster without the collector
// stops them too. A service that is not there is deleted.
func (s *Scheduler) DeleteService(ctx context.Context, serviceID string) error {
	call := "delete " + serviceID
	if err := s.ready(ctx, "delete"); err != nil {
		return err
	}
	rs := s.replicaSetOf(serviceID)
	if rs == nil {
		return nil
	}
	bg := metav1.DeletePropagationBackground
	err := s.client.AppsV1().ReplicaSets(rs.Namespace).Delete(ctx, rs.Name,
		metav1.DeleteOptions{PropagationPolicy: &bg, Preconditions: &metav1.Preconditions{UID: &rs.UID}})
	if err != nil && !apierrors.IsNotFound(err) {
		return wrap(call, err, ErrServiceNotFound)
	}
	sel := labels.SelectorFromSet(rs.Spec.Selector.MatchLabels).String()
	err = s.client.CoreV1().Pods(rs.Namespace).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: sel})
	if err != nil && !apierrors.IsNotFound(err) {
		return wrap(call, err, ErrServiceNotFound)
	}
	return nil
}

// restartCount is the service container's restart count.
func restartCount(p *corev1.Pod) int32 {
	if cs := containerStatus(p); cs != nil {
		return cs.RestartCount
	}
	return 0
}

func containerStatus(p *corev1.Pod) *corev1.ContainerStatus {
	for i := range p.Status.ContainerStatuses {
		if p.Status.ContainerStatuses[i].Name == containerName {
			return &p.Status.ContainerStatuses[i]
		}
	}
	return nil
}

var _ = errors.Is
