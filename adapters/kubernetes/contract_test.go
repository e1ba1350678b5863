package kubernetes

import (
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/kubetest"
	"github.com/waiter-go/waiter/internal/schedtest"
)

// TestContractOnRealAPIServer runs the scheduler contract against a real
// kube-apiserver and ReplicaSet controller, the pods run by the fake
// kubelet as processes on this machine.
func TestContractOnRealAPIServer(t *testing.T) {
	c := kubetest.Start(t, kubetest.Options{})
	t.Logf("control plane up: %v", c.Timings)
	s := newTestScheduler(t, c, Config{})
	schedtest.Run(t, schedtest.Harness{Scheduler: s, Timeout: 60 * time.Second})
}

func newTestScheduler(t *testing.T, c *kubetest.Cluster, cfg Config) *Scheduler {
	t.Helper()
	cfg.REST = c.REST
	if cfg.Cluster == "" {
		cfg.Cluster = "test"
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
