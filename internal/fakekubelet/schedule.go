package fakekubelet

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// scheduleLoop binds pending pods to this node, when woken by a change
// and every second (a pod whose binding failed is tried again).
func (k *Kubelet) scheduleLoop() {
	defer k.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-k.stop:
			return
		case <-k.kick:
		case <-t.C:
		}
		k.schedule()
	}
}

// usage is what pods ask for.
type usage struct {
	milliCPU, memory int64
	pods             int
}

func requests(p *corev1.Pod) usage {
	var u usage
	for _, c := range p.Spec.Containers {
		u.milliCPU += c.Resources.Requests.Cpu().MilliValue()
		u.memory += c.Resources.Requests.Memory().Value()
	}
	u.pods = 1
	return u
}

// schedule binds the unbound pods that fit, oldest first, and marks the
// others unschedulable as kube-scheduler does.
func (k *Kubelet) schedule() {
	var used usage
	for _, o := range k.mine.GetStore().List() {
		p := o.(*corev1.Pod)
		if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			r := requests(p)
			used.milliCPU, used.memory, used.pods = used.milliCPU+r.milliCPU, used.memory+r.memory, used.pods+1
		}
	}
	var pending []*corev1.Pod
	for _, o := range k.unbound.GetStore().List() {
		p := o.(*corev1.Pod)
		if p.DeletionTimestamp == nil && p.Spec.NodeName == "" && (p.Spec.SchedulerName == "" || p.Spec.SchedulerName == corev1.DefaultSchedulerName) {
			pending = append(pending, p)
		}
	}
	slices.SortFunc(pending, func(a, b *corev1.Pod) int { return a.CreationTimestamp.Compare(b.CreationTimestamp.Time) })
	capCPU, capMem := int64(k.cfg.CPU*1000), k.cfg.MemoryMiB<<20
	for _, p := range pending {
		r := requests(p)
		var short []string
		if used.milliCPU+r.milliCPU > capCPU {
			short = append(short, "Insufficient cpu")
		}
		if used.memory+r.memory > capMem {
			short = append(short, "Insufficient memory")
		}
		if used.pods+1 > k.cfg.MaxPods {
			short = append(short, "Too many pods")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if len(short) > 0 {
			k.markUnschedulable(ctx, p, "0/1 nodes are available: 1 "+strings.Join(short, ", 1 ")+".")
			cancel()
			continue
		}
		err := k.cfg.Client.CoreV1().Pods(p.Namespace).Bind(ctx, &corev1.Binding{
			ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace, UID: p.UID},
			Target:     corev1.ObjectReference{Kind: "Node", Name: k.cfg.NodeName}}, metav1.CreateOptions{})
		cancel()
		if err != nil {
			k.log.Debug("fakekubelet: bind", "pod", p.Name, "err", err)
			continue
		}
		used.milliCPU, used.memory, used.pods = used.milliCPU+r.milliCPU, used.memory+r.memory, used.pods+1
	}
}

// markUnschedulable sets PodScheduled=False, reason Unschedulable, unless
// the pod says so already.
func (k *Kubelet) markUnschedulable(ctx context.Context, p *corev1.Pod, msg string) {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonUnschedulable && c.Message == msg {
			return
		}
	}
	patch, _ := json.Marshal(map[string]any{"status": map[string]any{"conditions": []corev1.PodCondition{{
		Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable,
		Message: msg, LastTransitionTime: metav1.Now()}}}})
	if _, err := k.cfg.Client.CoreV1().Pods(p.Namespace).Patch(ctx, p.Name, types.StrategicMergePatchType, patch,
		metav1.PatchOptions{}, "status"); err != nil {
		k.log.Debug("fakekubelet: mark unschedulable", "pod", p.Name, "err", err)
	}
}
