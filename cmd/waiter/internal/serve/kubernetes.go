package serve

import (
	"fmt"
	"log/slog"

	"github.com/waiter-go/waiter/adapters/kubernetes"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/engine"
)

// newKubernetesScheduler is `--scheduler kubernetes`: services as
// ReplicaSets on the cluster the kubeconfig (or the pod's own service
// account) names. *kubernetes.Scheduler has Shutdown (stopScheduler stops
// its watches; the pods keep running, as in Waiter) and Subscribe, so the
// driver observes a service as soon as the watches see it change.
func newKubernetesScheduler(cfg config.Config, pw passwords, log *slog.Logger) (engine.Scheduler, error) {
	k := cfg.Kubernetes
	if k.Cluster == "" {
		k.Cluster = cfg.RouterID
	}
	s, err := kubernetes.New(kubernetes.Config{Kubeconfig: k.Kubeconfig, Namespace: k.Namespace, Image: k.Image,
		UIDs: k.UIDs, RestartExpiryThreshold: k.RestartExpiryThreshold, RestartKillThreshold: k.RestartKillThreshold,
		PodBasePort: k.PodBasePort, Cluster: k.Cluster, Password: pw.password, ServicePrefix: cfg.ServicePrefix,
		RunAsUser: cfg.RunAsUser, Logger: log.With("component", "kubernetes")})
	if err != nil {
		return nil, fmt.Errorf("kubernetes scheduler: %w", err)
	}
	return s, nil
}
