package kubernetes

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/waiter-go/waiter/internal/childproc"
	"github.com/waiter-go/waiter/internal/e2ekit"
	"github.com/waiter-go/waiter/internal/kubetest"
)

// routerConfig is the YAML of every test router: Waiter's intervals
// shortened so that tests wait milliseconds where Waiter waits seconds.
const routerConfig = `poll-interval: 250ms
fast-poll-interval: 100ms
scaling-interval: 250ms
drain-timeout: 5s
log-level: debug
`

var waiterListening = regexp.MustCompile(`msg="waiter serve: listening" addr=(\S+)`)

const (
	startTimeout = 20 * time.Second
	stopTimeout  = 15 * time.Second
)

var routerSeq atomic.Int64

// cluster is one `waiter serve --scheduler kubernetes` on the shared
// control plane, with a namespace of its own.
type cluster struct {
	e2ekit.Router                   // T, the HTTP client and WaiterURL
	kube          *kubetest.Cluster // the control plane it runs on
	name          string            // router id: the waiter/cluster label and WAITER_CLUSTER
	namespace     string
	waiter        *childproc.Process
}

// startRouter starts a router for t on the shared control plane,
// stopped (and checked) by t's clean-up, which also deletes its
// namespace's ReplicaSets and pods and checks that no process of its pods
// is left.
func startRouter(t *testing.T) *cluster {
	t.Helper()
	return startRouterOn(t, kube)
}

// startRouterOn is startRouter on the control plane kc.
func startRouterOn(t *testing.T, kc *kubetest.Cluster) *cluster {
	t.Helper()
	// The name carries the test binary's pid: pods' processes are found
	// by it (podProcesses), and two test binaries may run at once.
	n := routerSeq.Add(1)
	dir := t.TempDir()
	c := &cluster{Router: e2ekit.Router{T: t, HTTP: e2ekit.NewClient()}, kube: kc, name: fmt.Sprintf("kube-e2e-%d-%d", os.Getpid(), n), namespace: fmt.Sprintf("e2e-%d", n)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := kc.Namespace(ctx, c.namespace); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.cleanup)
	cfg := filepath.Join(dir, "waiter.yaml")
	if err := os.WriteFile(cfg, []byte(routerConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	var err error
	c.waiter, err = childproc.Start("waiter serve", bins.waiter, "serve",
		"--host", "127.0.0.1", "--port", "0", "--router-id", c.name,
		"--data-dir", filepath.Join(dir, "data"),
		"--scheduler", "kubernetes", "--kubeconfig", kc.Kubeconfig, "--namespace", c.namespace,
		"--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr, err := c.waiter.Out.WaitFor(waiterListening, startTimeout, c.waiter.Done())
	if err != nil {
		t.Fatalf("waiter serve: %v\n%s", err, c.waiter.Out.Tail(30))
	}
	c.WaiterURL = "http://" + addr
	return c
}

func (c *cluster) stopWaiter() (int, error) {
	c.HTTP.CloseIdleConnections()
	return c.waiter.Stop(stopTimeout)
}

// cleanup stops the router (it must exit 0), then deletes what it left
// in its namespace (ReplicaSets and pods outlive a router, as in Waiter)
// and checks that the pods' processes stop.
func (c *cluster) cleanup() {
	t := c.T
	if c.waiter != nil && !c.waiter.Exited() {
		code, err := c.stopWaiter()
		switch {
		case err != nil:
			t.Error(err)
		case code != 0:
			t.Errorf("waiter serve exited %d after SIGTERM, want 0", code)
		}
	}
	if t.Failed() && c.waiter != nil {
		t.Logf("waiter serve's log:\n%s", indent(c.waiter.Out.Tail(200)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = c.kube.Client.AppsV1().ReplicaSets(c.namespace).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
	_ = c.kube.Client.CoreV1().Pods(c.namespace).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
	deadline := time.Now().Add(30 * time.Second)
	for len(podProcesses(c.name)) > 0 {
		if time.Now().After(deadline) {
			t.Errorf("processes of deleted pods still running: %v", podProcesses(c.name))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

// replicaSet is the service's ReplicaSet (found by its waiter/service-id
// annotation), or nil.
func (c *cluster) replicaSet(serviceID string) *appsv1.ReplicaSet {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	list, err := c.kube.Client.AppsV1().ReplicaSets(c.namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil
	}
	for i := range list.Items {
		if list.Items[i].Annotations["waiter/service-id"] == serviceID {
			return &list.Items[i]
		}
	}
	return nil
}

// pods are the live pods of a ReplicaSet (not being deleted), and how
// many of them are Ready.
func (c *cluster) pods(rs *appsv1.ReplicaSet) (names []string, ready int) {
	if rs == nil {
		return nil, 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	list, err := c.kube.Client.CoreV1().Pods(c.namespace).List(ctx, metav1.ListOptions{LabelSelector: "app=" + rs.Labels["app"]})
	if err != nil {
		return nil, 0
	}
	for _, p := range list.Items {
		if p.DeletionTimestamp != nil {
			continue
		}
		names = append(names, p.Name)
		for _, cond := range p.Status.Conditions {
			if cond.Type == corev1.PodReady && cond.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	return names, ready
}

func replicas(rs *appsv1.ReplicaSet) int {
	if rs == nil || rs.Spec.Replicas == nil {
		return -1
	}
	return int(*rs.Spec.Replicas)
}
