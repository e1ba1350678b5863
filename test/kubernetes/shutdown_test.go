package kubernetes

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestShutdown: SIGTERM stops the router with exit 0, leaving its
// services to Kubernetes as Waiter does (the pods keep serving); deleting
// the ReplicaSet then stops every process of its pods. (TestMain checks
// that no kitchen outlives the control plane.)
func TestShutdown(t *testing.T) {
	t.Parallel()
	c := startRouter(t)
	id := c.Start(kitchenService(map[string]string{"min-instances": "2"}))
	e2ekit.Eventually(t, 30*time.Second, "2 pods with processes", func() (bool, string) {
		live := e2ekit.Labels(podProcesses(c.name))
		return len(live) == 2, fmt.Sprintf("%v", live)
	})
	code, err := c.stopWaiter()
	if err != nil || code != 0 {
		t.Fatalf("waiter serve: exit %d, %v", code, err)
	}
	if got := e2ekit.Labels(podProcesses(c.name)); len(got) != 2 {
		t.Errorf("after the router stopped, pods with processes %v, want both still serving", got)
	}
	rs := c.replicaSet(id)
	if rs == nil {
		t.Fatal("the ReplicaSet went with the router")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bg := metav1.DeletePropagationBackground
	if err := c.kube.Client.AppsV1().ReplicaSets(c.namespace).Delete(ctx, rs.Name, metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil {
		t.Fatal(err)
	}
	if err := c.kube.Client.CoreV1().Pods(c.namespace).DeleteCollection(ctx, metav1.DeleteOptions{},
		metav1.ListOptions{LabelSelector: "app=" + rs.Labels["app"]}); err != nil {
		t.Fatal(err)
	}
	e2ekit.Eventually(t, 30*time.Second, "no process left", func() (bool, string) {
		live := podProcesses(c.name)
		return len(live) == 0, fmt.Sprintf("%v", live)
	})
}
