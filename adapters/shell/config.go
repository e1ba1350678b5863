package shell

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/warmconn"
)

// Host is the address of every instance: services run on this machine and
// are reached, and health-checked, over the loopback interface.
const Host = "127.0.0.1"

// Defaults for zero Config fields (Waiter's :shell settings where it has one).
const (
	DefaultPortRangeStart = 10000
	DefaultPortRangeEnd   = 10999
	// DefaultPortGracePeriod keeps a released port unused for a while, so
	// a request still aimed at a dead instance cannot reach its successor
	// (:port-grace-period-ms 120000).
	DefaultPortGracePeriod = 2 * time.Minute
	// DefaultHealthCheckTimeout bounds one probe (:health-check-timeout-ms 200).
	DefaultHealthCheckTimeout = 200 * time.Millisecond
	// DefaultStartProbeInterval and DefaultMaxStartProbeInterval bound the
	// probe interval of an instance that is not healthy (see Config).
	DefaultStartProbeInterval    = engine.DefaultStartupProbeMin
	DefaultMaxStartProbeInterval = engine.DefaultStartupProbeMax
	// DefaultMemoryCheckInterval is how often RSS is compared with mem.
	DefaultMemoryCheckInterval = time.Second
	// DefaultFailedInstanceRetryInterval spaces relaunches of failed
	// instances (:failed-instance-retry-interval-ms 5000).
	DefaultFailedInstanceRetryInterval = 5 * time.Second
	// DefaultMaxFailedInstances is how many failed instances each service
	// remembers (Waiter keeps 10).
	DefaultMaxFailedInstances = 10
	// defaultHealthCheckInterval applies when a description has none.
	defaultHealthCheckInterval = 10 * time.Second
)

// Config configures a Scheduler. Zero fields take the defaults above.
type Config struct {
	// WorkDir holds one folder per service and, inside it, one per
	// instance (<WorkDir>/<service-id>/<instance-id>/ with stdout, stderr
	// and instance.json). Required; created if missing. When instances
	// run as other users, it and the folders above it must be searchable
	// (x) by them.
	WorkDir string
	// PortRange is the inclusive range instance ports come from.
	PortRange [2]int
	// PortGracePeriod keeps a released port out of use for this long.
	PortGracePeriod time.Duration
	// HealthCheckTimeout bounds one health-check request, connect included.
	HealthCheckTimeout time.Duration
	// HealthCheckInterval, when positive, replaces the description's
	// health-check-interval-secs as the probe interval of healthy instances.
	HealthCheckInterval time.Duration
	// StartProbeInterval and MaxStartProbeInterval bound how often an
	// instance that is not healthy is probed: every age/80 clamped to
	// [StartProbeInterval, MaxStartProbeInterval] (0.25 ms and 100 ms).
	// A young instance is probed every quarter millisecond, so a cold
	// start costs little more than the service's own start-up; one that
	// takes seconds to start is probed less often, which delays it by at
	// most 1.25% of its start-up (100 ms at most). A probe of a port
	// nobody listens on yet is a refused loopback connect: cheap.
	StartProbeInterval    time.Duration
	MaxStartProbeInterval time.Duration
	// WarmConns, when set, receives the connection of the probe that
	// finds an instance ready, for the proxy's first request to it
	// (internal/warmconn); nil closes it.
	WarmConns *warmconn.Pool
	// MemoryCheckInterval is how often each instance's resident memory
	// (summed over its process group) is compared with its mem.
	MemoryCheckInterval time.Duration
	// FailedInstanceRetryInterval is how long after an instance fails the
	// scheduler launches its replacement (no exponential backoff, as in
	// Waiter's shell scheduler).
	FailedInstanceRetryInterval time.Duration
	// MaxFailedInstances is how many failed instances Observe reports per
	// service (newest last).
	MaxFailedInstances int
	// Cluster is given to instances as WAITER_CLUSTER.
	Cluster string
	// Password returns the WAITER_PASSWORD of a service; nil gives "".
	Password func(serviceID string) string
	// Adopt makes New take over the live instances a previous scheduler on
	// WorkDir left behind (a router that crashed), together with their
	// services and requested counts; instances that died meanwhile are
	// replaced, as Waiter's shell scheduler does when it restores its
	// backup. When false (the default), New terminates them: a new router
	// starts from a clean slate, nothing runs unaccounted for, and the
	// engine starts services again on demand.
	Adopt bool
	// Now reads the time of instance start, failures and grace periods;
	// nil means time.Now. Waits and tickers use real time.
	Now func() time.Time
	// Logger receives launches, failures and kills; nil discards them.
	Logger *slog.Logger
}

// withDefaults validates cfg and fills in zero fields.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.WorkDir == "" {
		return cfg, fmt.Errorf("shell: config: WorkDir is required")
	}
	dir, err := filepath.Abs(cfg.WorkDir)
	if err != nil {
		return cfg, fmt.Errorf("shell: config: WorkDir %q: %w", cfg.WorkDir, err)
	}
	cfg.WorkDir = dir
	if cfg.PortRange == [2]int{} {
		cfg.PortRange = [2]int{DefaultPortRangeStart, DefaultPortRangeEnd}
	}
	if lo, hi := cfg.PortRange[0], cfg.PortRange[1]; lo < 1 || hi > 65535 || lo > hi {
		return cfg, fmt.Errorf("shell: config: PortRange [%d, %d] must satisfy 1 <= start <= end <= 65535", lo, hi)
	}
	setD := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	setD(&cfg.PortGracePeriod, DefaultPortGracePeriod)
	setD(&cfg.HealthCheckTimeout, DefaultHealthCheckTimeout)
	setD(&cfg.StartProbeInterval, DefaultStartProbeInterval)
	setD(&cfg.MaxStartProbeInterval, DefaultMaxStartProbeInterval)
	if cfg.MaxStartProbeInterval < cfg.StartProbeInterval {
		cfg.MaxStartProbeInterval = cfg.StartProbeInterval
	}
	setD(&cfg.MemoryCheckInterval, DefaultMemoryCheckInterval)
	setD(&cfg.FailedInstanceRetryInterval, DefaultFailedInstanceRetryInterval)
	if cfg.MaxFailedInstances <= 0 {
		cfg.MaxFailedInstances = DefaultMaxFailedInstances
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
