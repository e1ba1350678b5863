package kubernetes

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/waiter-go/waiter/engine"
)

// Defaults for zero Config fields (Waiter's :kubernetes settings in
// settings.clj and config-full.edn).
const (
	// DefaultNamespace holds services without a namespace parameter.
	DefaultNamespace = "waiter"
	// DefaultImage runs services without an image parameter
	// (:default-container-image).
	DefaultImage = "twosigma/waiter-test-apps:latest"
	// DefaultPodBasePort is where port0 ranges start (:pod-base-port).
	DefaultPodBasePort = 31000
	// DefaultRestartExpiryThreshold: an instance restarted this often is
	// expired (:restart-expiry-threshold 2).
	DefaultRestartExpiryThreshold = 2
	// DefaultRestartKillThreshold: a pod restarted this often is deleted
	// (:restart-kill-threshold 8).
	DefaultRestartKillThreshold = 8
	// DefaultPodSigkillDelay is the least termination grace period
	// (:pod-sigkill-delay-secs 3).
	DefaultPodSigkillDelay = 3 * time.Second
	// DefaultMaxPatchRetries bounds the replica-count updates retried on
	// conflicts (:max-patch-retries 5).
	DefaultMaxPatchRetries = 5
	// DefaultProbeTimeout bounds the router's own health check of a pod
	// that is not ready yet (200 ms connect plus 200 ms idle, as Waiter).
	DefaultProbeTimeout = 400 * time.Millisecond
	// DefaultHomePathPrefix makes HOME /home/<run-as-user>.
	DefaultHomePathPrefix = "/home/"
	// DefaultRequestTimeout bounds one call to the API server.
	DefaultRequestTimeout = 10 * time.Second
	// maxFailedInstances is how many failures each service keeps.
	maxFailedInstances = 10
	// maxProbes bounds the health checks Observe runs at once.
	maxProbes = 16
	// markSeenTimeout bounds how long a kill waits for the ReplicaSet
	// controller to see its mark, and markSeenPoll how often it reads the
	// ReplicaSet's status meanwhile (KillInstance).
	markSeenTimeout = 10 * time.Second
	markSeenPoll    = 20 * time.Millisecond
)

// Config configures a Scheduler. Zero fields take the defaults above.
type Config struct {
	// REST, when set, is the API server's client configuration (tests);
	// otherwise Kubeconfig names a kubeconfig file, and without one the
	// in-cluster configuration is used (a router running in a pod).
	REST       *rest.Config
	Kubeconfig string
	// Namespace holds every service whose description has no namespace
	// parameter; "*" puts each in the namespace named after its
	// run-as-user (Waiter's :default-namespace "*"). Default
	// DefaultNamespace. The namespace must exist, with its default
	// ServiceAccount.
	Namespace string
	// WatchAllNamespaces watches ReplicaSets and pods in every namespace;
	// it is implied by Namespace "*". Otherwise only Namespace is
	// watched, so services placed elsewhere by their namespace parameter
	// are refused.
	WatchAllNamespaces bool
	// ServicePrefix: only services whose id starts with it are reported.
	ServicePrefix string
	// Cluster labels every object (waiter/cluster) and is given to
	// instances as WAITER_CLUSTER; only objects with this label are seen.
	Cluster string
	// RunAsUser names the user of services without run-as-user.
	RunAsUser string
	// UIDs maps run-as-users to the uid their pods run as (the pod's
	// securityContext.runAsUser); a user missing from it runs as the
	// image's user.
	UIDs map[string]int64
	// Password returns a service's WAITER_PASSWORD; nil gives "".
	Password func(serviceID string) string
	// Image runs services without an image parameter.
	Image string
	// ContainerInitCommands come before the service's cmd in the
	// container's command (Waiter's ["waiter-k8s-init"]); default
	// ["/bin/sh", "-c"].
	ContainerInitCommands []string
	// PodBasePort: see DefaultPodBasePort.
	PodBasePort int
	// HomePathPrefix + run-as-user is each instance's HOME.
	HomePathPrefix string
	// RestartExpiryThreshold and RestartKillThreshold: see the defaults.
	RestartExpiryThreshold int
	RestartKillThreshold   int
	// PodSigkillDelay: see DefaultPodSigkillDelay.
	PodSigkillDelay time.Duration
	// MaxPatchRetries: see DefaultMaxPatchRetries.
	MaxPatchRetries int
	// ProbeTimeout bounds the router's own health check of running pods
	// that are not ready; negative turns the checks off.
	ProbeTimeout time.Duration
	// RequestTimeout bounds each call to the API server.
	RequestTimeout time.Duration
	// Now reads the time; nil is time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// withDefaults validates cfg and fills in zero fields.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Namespace == "" {
		cfg.Namespace = DefaultNamespace
	}
	if cfg.Namespace == "*" {
		cfg.WatchAllNamespaces = true
	} else if msgs := validName(cfg.Namespace); msgs != "" {
		return cfg, fmt.Errorf("kubernetes: config: namespace %q: %s", cfg.Namespace, msgs)
	}
	if cfg.ServicePrefix == "" {
		cfg.ServicePrefix = engine.DefaultServicePrefix
	}
	if cfg.Image == "" {
		cfg.Image = DefaultImage
	}
	if cfg.ContainerInitCommands == nil {
		cfg.ContainerInitCommands = []string{"/bin/sh", "-c"}
	}
	if cfg.PodBasePort == 0 {
		cfg.PodBasePort = DefaultPodBasePort
	}
	if cfg.PodBasePort < 1 || cfg.PodBasePort+1000 > 65535 {
		return cfg, fmt.Errorf("kubernetes: config: pod base port %d: must leave 1000 ports below 65536", cfg.PodBasePort)
	}
	if cfg.HomePathPrefix == "" {
		cfg.HomePathPrefix = DefaultHomePathPrefix
	}
	if cfg.RestartExpiryThreshold == 0 {
		cfg.RestartExpiryThreshold = DefaultRestartExpiryThreshold
	}
	if cfg.RestartKillThreshold == 0 {
		cfg.RestartKillThreshold = max(DefaultRestartKillThreshold, cfg.RestartExpiryThreshold)
	}
	if cfg.RestartExpiryThreshold < 1 || cfg.RestartKillThreshold < cfg.RestartExpiryThreshold {
		return cfg, errors.New("kubernetes: config: restart thresholds: need 1 <= expiry <= kill")
	}
	if cfg.PodSigkillDelay == 0 {
		cfg.PodSigkillDelay = DefaultPodSigkillDelay
	}
	if cfg.MaxPatchRetries == 0 {
		cfg.MaxPatchRetries = DefaultMaxPatchRetries
	}
	if cfg.ProbeTimeout == 0 {
		cfg.ProbeTimeout = DefaultProbeTimeout
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.Password == nil {
		cfg.Password = func(string) string { return "" }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg, nil
}

// restConfig is the API server's client configuration: REST, the
// kubeconfig file, or the in-cluster one.
func (cfg Config) restConfig() (*rest.Config, error) {
	var rc *rest.Config
	var err error
	switch {
	case cfg.REST != nil:
		rc = rest.CopyConfig(cfg.REST)
	case strings.TrimSpace(cfg.Kubeconfig) != "":
		rc, err = clientcmd.BuildConfigFromFlags("", cfg.Kubeconfig)
		if err != nil {
			return nil, fmt.Errorf("kubernetes: config: kubeconfig %s: %w", cfg.Kubeconfig, err)
		}
	default:
		rc, err = rest.InClusterConfig()
		if err != nil {
			return nil, fmt.Errorf("kubernetes: config: no kubeconfig given and not in a cluster: %w", err)
		}
	}
	rc.Timeout = cfg.RequestTimeout
	rc.UserAgent = "waiter-go"
	return rc, nil
}
