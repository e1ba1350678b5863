package kubetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// probeNamespace holds AwaitControllers' probe ReplicaSets, apart from
// every router's namespace.
const probeNamespace = "kubetest-probe"

var probeSeq atomic.Int64

// AwaitControllers returns once kube-controller-manager's ReplicaSet
// controller and the node act on a new ReplicaSet: a probe ReplicaSet's
// pod runs. After StartAPIServer they act only once their own watches
// are back, and they retry with client-go's default back-off, which no
// flag shortens: from 0.8 s doubling to [30, 60) s. One 10 s outage of a
// fresh control plane left the controller manager 27 s behind the ready
// API server, outages in a row up to 65 s (measured). A test of what a
// router does after an outage waits for this first, so that it measures
// the router, not Kubernetes' own back-off.
func (c *Cluster) AwaitControllers(ctx context.Context) error {
	if err := c.Namespace(ctx, probeNamespace); err != nil {
		return err
	}
	name := fmt.Sprintf("probe-%d", probeSeq.Add(1))
	labels := map[string]string{"kubetest-probe": name}
	one, zero := int32(1), int64(0)
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: probeNamespace},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					TerminationGracePeriodSeconds: &zero,
					// No resources: a BestEffort pod (Waiter's are
					// Burstable), whose status the node must write too.
					Containers: []corev1.Container{{Name: "probe", Image: "probe", Command: []string{"sleep", "600"}}},
				},
			},
		},
	}
	rsc := c.Client.AppsV1().ReplicaSets(probeNamespace)
	if _, err := rsc.Create(ctx, rs, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("kubetest: probe ReplicaSet: %w", err)
	}
	selector := metav1.FormatLabelSelector(&metav1.LabelSelector{MatchLabels: labels})
	defer func() {
		// The ReplicaSet, then its pod, which the node stops at once (no
		// grace): this control plane runs no garbage collector.
		del, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = rsc.Delete(del, name, metav1.DeleteOptions{})
		_ = c.Client.CoreV1().Pods(probeNamespace).DeleteCollection(del, metav1.DeleteOptions{GracePeriodSeconds: &zero},
			metav1.ListOptions{LabelSelector: selector})
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var seen []string // the pods' phases, for the error
	for {
		pods, err := c.Client.CoreV1().Pods(probeNamespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
		if err == nil {
			seen = seen[:0]
			for _, p := range pods.Items {
				if p.Status.Phase == corev1.PodRunning {
					return nil
				}
				seen = append(seen, fmt.Sprintf("%s on %q: %s %s", p.Name, p.Spec.NodeName, p.Status.Phase, p.Status.Message))
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("kubetest: the probe ReplicaSet %s has no running pod (pods %v, last error %v): %w",
				name, seen, err, ctx.Err())
		case <-tick.C:
		}
	}
}
