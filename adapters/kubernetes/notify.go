package kubernetes

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
)

// Subscribe returns a channel that receives a service's id whenever the
// watches deliver a change of its ReplicaSet or one of its pods (a pod
// created, bound, started, ready or not, restarted, deleted), so the
// driver observes it at once (ObserveService) rather than at its next
// poll. Sends never block: a full buffer drops notifications, and the
// driver's polling stays the safety net (internal/fanout). The channel
// is closed by Shutdown.
func (s *Scheduler) Subscribe() <-chan string { return s.subs.Subscribe() }

// notifyObject tells subscribers that obj's service changed.
func (s *Scheduler) notifyObject(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	m, ok := obj.(metav1.Object)
	if !ok {
		return
	}
	id := m.GetAnnotations()[annotServiceID]
	if id == "" {
		return
	}
	s.subs.Notify(id)
}
