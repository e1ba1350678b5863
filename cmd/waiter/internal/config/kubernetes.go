package config

import (
	"errors"
	"fmt"
)

// Kubernetes configures `--scheduler kubernetes` (adapters/kubernetes;
// Waiter's :kubernetes scheduler settings).
type Kubernetes struct {
	// Kubeconfig is a kubeconfig file; empty uses the in-cluster
	// configuration (a router running in a pod).
	Kubeconfig string `yaml:"kubeconfig"`
	// Cluster labels Waiter's objects (waiter/cluster) and is each
	// instance's WAITER_CLUSTER; the router sees only objects with its
	// label. Default the router id; routers of one Waiter cluster must
	// share it (Waiter's cluster-name).
	Cluster string `yaml:"cluster"`
	// Namespace holds services without a namespace parameter (default
	// "waiter"); "*" puts each in its run-as-user's namespace.
	Namespace string `yaml:"namespace"`
	// Image runs services without an image parameter.
	Image string `yaml:"image"`
	// UIDs maps run-as-users to the uid their pods run as.
	UIDs map[string]int64 `yaml:"uids"`
	// RestartExpiryThreshold and RestartKillThreshold: an instance
	// restarted this often is expired, a pod restarted this often
	// deleted (Waiter's 2 and 8).
	RestartExpiryThreshold int `yaml:"restart-expiry-threshold"`
	RestartKillThreshold   int `yaml:"restart-kill-threshold"`
	// PodBasePort is where port0 ranges start (default 31000).
	PodBasePort int `yaml:"pod-base-port"`
}

// validate reports settings that cannot work.
func (k Kubernetes) validate() []error {
	var errs []error
	if k.RestartExpiryThreshold < 0 || k.RestartKillThreshold < 0 {
		errs = append(errs, errors.New("kubernetes restart thresholds must not be negative"))
	}
	if k.PodBasePort < 0 || k.PodBasePort > 64535 {
		errs = append(errs, fmt.Errorf("kubernetes pod-base-port must be between 1 and 64535 (got %d)", k.PodBasePort))
	}
	for user, uid := range k.UIDs {
		if uid < 0 {
			errs = append(errs, fmt.Errorf("kubernetes uids: %s: uid %d is negative", user, uid))
		}
	}
	return errs
}
