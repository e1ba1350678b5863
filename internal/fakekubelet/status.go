package fakekubelet

import (
	"context"
	"encoding/json"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// status is the pod's status as the kubelet reports it now.
func (w *worker) status() corev1.PodStatus {
	c := w.container()
	cs := corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: "fake://" + c.Image, RestartCount: w.restarts,
		Ready: w.ready, LastTerminationState: corev1.ContainerState{Terminated: w.last}}
	started := w.cmd != nil
	cs.Started = &started
	switch {
	case w.terminated != nil:
		cs.State.Terminated = w.terminated
	case w.cmd != nil:
		cs.State.Running = &corev1.ContainerStateRunning{StartedAt: w.startedAt}
		cs.ContainerID = "fake://" + string(w.uid) + "/" + time.Duration(w.restarts).String()
	case w.waiting != nil:
		cs.State.Waiting = w.waiting
	default:
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}
	}
	cond := func(t corev1.PodConditionType, ok bool) corev1.PodCondition {
		s := corev1.ConditionFalse
		if ok {
			s = corev1.ConditionTrue
		}
		return corev1.PodCondition{Type: t, Status: s, LastTransitionTime: metav1.Now()}
	}
	readyCond := cond(corev1.PodReady, w.ready)
	if !w.ready {
		readyCond.Reason = "ContainersNotReady"
	}
	phase := corev1.PodRunning
	if w.cmd == nil && w.restarts == 0 && w.terminated == nil {
		phase = corev1.PodPending
	}
	start := metav1.NewTime(w.pod.CreationTimestamp.Time)
	return corev1.PodStatus{
		Phase:     phase,
		HostIP:    host,
		HostIPs:   []corev1.HostIP{{IP: host}},
		PodIP:     host,
		PodIPs:    []corev1.PodIP{{IP: host}},
		StartTime: &start,
		// The API server sets the class when the pod is created and
		// refuses a status that changes it: report it as set.
		QOSClass: w.pod.Status.QOSClass,
		Conditions: []corev1.PodCondition{
			cond(corev1.PodScheduled, true), cond(corev1.PodInitialized, true),
			cond(corev1.ContainersReady, w.ready), readyCond,
		},
		ContainerStatuses: []corev1.ContainerStatus{cs},
	}
}

// sync writes the status (a merge patch of the whole status, so nothing
// conflicts with other writers); false when it failed and must be tried
// again.
func (w *worker) sync() bool {
	patch, err := json.Marshal(map[string]any{"status": w.status()})
	if err != nil {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = w.k.cfg.Client.CoreV1().Pods(w.pod.Namespace).Patch(ctx, w.pod.Name, types.MergePatchType, patch, metav1.PatchOptions{}, "status")
	if err != nil {
		w.k.log.Debug("fakekubelet: status", "pod", w.pod.Name, "err", err)
		return false
	}
	return true
}
