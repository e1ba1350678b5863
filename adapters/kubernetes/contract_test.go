package kubernetes

import (
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/schedtest"
)

// TestContractOnRealAPIServer runs the scheduler contract against a real
// kube-apiserver and ReplicaSet controller, the pods run by the fake
// kubelet as processes on this machine.
func TestContractOnRealAPIServer(t *testing.T) {
	t.Parallel()
	s := newTestScheduler(t, Config{Cluster: "contract"})
	schedtest.Run(t, schedtest.Harness{Scheduler: s, Timeout: 60 * time.Second})
}

func newTestScheduler(t *testing.T, cfg Config) *Scheduler {
	t.Helper()
	cfg.REST = cluster.REST
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
