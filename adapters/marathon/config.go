package marathon

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// Defaults for zero Config fields (Waiter's :marathon settings).
const (
	// DefaultHTTPTimeout bounds one request, retries included
	// (:http-options :socket-timeout 10000).
	DefaultHTTPTimeout = 10 * time.Second
	// DefaultSyncTimeout is how long an app's instance count may differ
	// from its task count, with no deployment, before the count is
	// realigned (:sync-deployment 15 s x 4 cycles).
	DefaultSyncTimeout = 60 * time.Second
	// DefaultRetries and DefaultRetryDelay retry transient failures
	// (retry-on-transient-server-exceptions: 5 retries from 200 ms, x1.5).
	DefaultRetries    = 5
	DefaultRetryDelay = 200 * time.Millisecond
	// DefaultProbeTimeout bounds Waiter's own health check of an instance
	// (:health-check-timeout-ms, connect plus idle: 200 + 200).
	DefaultProbeTimeout = 400 * time.Millisecond
	// DefaultHomePathPrefix makes HOME /home/<run-as-user>.
	DefaultHomePathPrefix = "/home/"
	// healthCheckTimeoutSeconds is the timeoutSeconds Waiter sets.
	healthCheckTimeoutSeconds = 20
	// maxFailedInstances is how many failures each service keeps.
	maxFailedInstances = 10
	// maxProbes bounds the health checks Observe runs at once.
	maxProbes = 16
)

// Config configures a Scheduler. Zero fields take the defaults above.
type Config struct {
	// URL is Marathon's base URL, e.g. http://marathon.example:8080; a
	// comma-separated list names several members (go-marathon fails over).
	URL string
	// HTTPTimeout bounds each request to Marathon, retries included.
	HTTPTimeout time.Duration
	// ServicePrefix: Observe reports only apps whose id starts with it, so
	// other apps on the same Marathon are left alone. Default
	// engine.DefaultServicePrefix; it must match the router's.
	ServicePrefix string
	// SyncTimeout: see DefaultSyncTimeout; negative turns realignment off.
	SyncTimeout time.Duration
	// Retries and RetryDelay: see DefaultRetries; negative Retries turns
	// retries off.
	Retries    int
	RetryDelay time.Duration
	// ProbeTimeout bounds the router's own health check of instances
	// Marathon does not call healthy yet; negative turns the checks off.
	ProbeTimeout time.Duration
	// HomePathPrefix + run-as-user is each instance's HOME.
	HomePathPrefix string
	// ContainerInitCommands, when set, become the app's args before the
	// service's cmd (Waiter's ["waiter-mesos-init"]); nil runs cmd under
	// Mesos's shell.
	ContainerInitCommands []string
	// Cluster is given to instances as WAITER_CLUSTER.
	Cluster string
	// RunAsUser names the user of services without run-as-user (LOGNAME,
	// USER, HOME, label user); empty leaves them out.
	RunAsUser string
	// Password returns a service's WAITER_PASSWORD; nil gives "".
	Password func(serviceID string) string
	// BasicAuthUser and BasicAuthPassword, or DCOSToken, authenticate.
	BasicAuthUser, BasicAuthPassword string
	DCOSToken                        string
	// Transport is the HTTP transport under the retries; nil is a
	// dedicated one (no proxy from the environment's defaults shared).
	Transport http.RoundTripper
	// Now reads the time of kill failures and drift; nil is time.Now.
	Now func() time.Time
	// Logger receives retries, forced kills and realignments; nil discards.
	Logger *slog.Logger
}

// withDefaults validates cfg and fills in zero fields.
func (cfg Config) withDefaults() (Config, error) {
	if strings.TrimSpace(cfg.URL) == "" {
		return cfg, errors.New("marathon: config: URL is required")
	}
	for _, u := range strings.Split(cfg.URL, ",") {
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			return cfg, fmt.Errorf("marathon: config: URL %q: every member needs http:// or https://", u)
		}
	}
	setD := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	setD(&cfg.HTTPTimeout, DefaultHTTPTimeout)
	setD(&cfg.SyncTimeout, DefaultSyncTimeout)
	setD(&cfg.RetryDelay, DefaultRetryDelay)
	setD(&cfg.ProbeTimeout, DefaultProbeTimeout)
	if cfg.HTTPTimeout < 0 || cfg.RetryDelay < 0 {
		return cfg, errors.New("marathon: config: HTTPTimeout and RetryDelay must not be negative")
	}
	if cfg.Retries == 0 {
		cfg.Retries = DefaultRetries
	}
	cfg.Retries = max(cfg.Retries, 0)
	if cfg.ServicePrefix == "" {
		cfg.ServicePrefix = engine.DefaultServicePrefix
	}
	if cfg.HomePathPrefix == "" {
		cfg.HomePathPrefix = DefaultHomePathPrefix
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
	if cfg.Transport == nil {
		cfg.Transport = &http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConnsPerHost: 8, IdleConnTimeout: 90 * time.Second}
	}
	return cfg, nil
}
