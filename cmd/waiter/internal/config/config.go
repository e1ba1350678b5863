package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is everything `waiter serve` can be told. YAML keys are the
// kebab-case names in the tags; flags override the file.
type Config struct {
	// Host is the address to bind: 127.0.0.1 unless told otherwise ("" =
	// every interface). Any address but a loopback one needs a real
	// authenticator, or insecure-allow-anyone.
	Host string `yaml:"host"`
	// Port to listen on (Waiter's default 9091).
	Port int `yaml:"port"`
	// TLS adds an HTTPS listener (HTTP/2 and HTTP/1.1) on the same host.
	TLS TLS `yaml:"tls"`
	// DataDir holds the bbolt store file (waiter.db).
	DataDir string `yaml:"data-dir"`
	// Scheduler is "shell" (local processes), "marathon" or "kubernetes".
	Scheduler   string     `yaml:"scheduler"`
	MarathonURL string     `yaml:"marathon-url"`
	Kubernetes  Kubernetes `yaml:"kubernetes"`
	// RouterID names this router; default "<hostname>-<port>".
	RouterID string `yaml:"router-id"`
	// Hostnames are the router's own names (requests to them without
	// x-waiter-* headers are API calls); the machine's hostname is added.
	Hostnames []string `yaml:"hostnames"`
	// RunAsUser is the single user every request acts as; default the OS
	// user running the router.
	RunAsUser string `yaml:"run-as-user"`
	// Admins may administer tokens (update-mode=admin, hard deletes,
	// tokens owned by others), run services as any user and maintain
	// every user's services; default the OS user running the router.
	Admins []string `yaml:"admins"`
	// CORSAllowedOrigins are the origins (scheme://host[:port]) besides the
	// router's own whose web pages may call the API, including the calls
	// that change state; default none.
	CORSAllowedOrigins []string `yaml:"cors-allowed-origins"`
	// ServiceCORS is the default CORS policy of proxied requests.
	ServiceCORS ServiceCORS `yaml:"service-cors"`

	// ServicePrefix starts every service id.
	ServicePrefix string `yaml:"service-prefix"`
	// ServiceDefaults override Waiter's parameter defaults.
	ServiceDefaults map[string]any `yaml:"service-description-defaults"`
	// Profiles are named default sets ("profile" parameter).
	Profiles map[string]map[string]any `yaml:"profiles"`

	// Timeouts (Waiter's instance-request-properties).
	QueueTimeout     time.Duration `yaml:"queue-timeout"`
	SocketTimeout    time.Duration `yaml:"socket-timeout"`
	StreamingTimeout time.Duration `yaml:"streaming-timeout"`
	ConnectTimeout   time.Duration `yaml:"connect-timeout"`

	// Driver settings.
	PollInterval     time.Duration `yaml:"poll-interval"`
	FastPollInterval time.Duration `yaml:"fast-poll-interval"`
	SchedulerWorkers int           `yaml:"scheduler-workers"`
	ScalingInterval  time.Duration `yaml:"scaling-interval"`
	Seed             uint64        `yaml:"seed"`
	// StaleCheckInterval: how often the router looks for services whose
	// tokens were all edited (Waiter's scheduler-gc-interval-ms, 60 s).
	StaleCheckInterval time.Duration `yaml:"stale-check-interval"`

	// DrainTimeout bounds how long SIGTERM waits for in-flight requests.
	DrainTimeout time.Duration `yaml:"drain-timeout"`

	// The listener: what one client may send, and for how long. Proxied
	// requests and responses have no total deadline (they stream for as
	// long as they are alive, under the streaming timeout between bytes);
	// API requests do.
	//
	// ReadHeaderTimeout bounds receiving a request's header (default 30s).
	ReadHeaderTimeout time.Duration `yaml:"read-header-timeout"`
	// IdleTimeout closes a keep-alive connection idle this long between
	// requests (default 2m).
	IdleTimeout time.Duration `yaml:"idle-timeout"`
	// MaxHeaderBytes bounds a request's header, request line included
	// (bytes; default 65536, Envoy's 60 KiB rounded up; a larger one is
	// refused with 431).
	MaxHeaderBytes int `yaml:"max-header-bytes"`
	// FastHTTP1 serves plain proxied HTTP/1.1 requests on the cleartext
	// port with the fast front (internal/h1serve) instead of net/http's
	// server; everything else still goes to net/http (default true).
	FastHTTP1 bool `yaml:"fast-http1"`
	// EventLoop serves the fast front's connections on event loops, one
	// per core (cmd/waiter/internal/loopfront), which hand the goroutine
	// front whatever they do not serve; only with fast-http1 (default
	// true).
	EventLoop bool `yaml:"event-loop"`
	// EventLoops is how many event loops serve with event-loop (default
	// 0: one per CPU the runtime uses, GOMAXPROCS; at most
	// MaxEventLoops). On a router of its own, one per core is right; on a
	// host it shares with busy services, fewer loops batch more events per
	// wait: with 1 instead of 2 on a 2-core host shared with the backend
	// and the load, proxybench measured 10 % less CPU per request at the
	// same throughput.
	EventLoops int `yaml:"event-loops"`
	// APIBodyTimeout bounds receiving the body of an API request such as
	// POST /token (default 60s; then 408 and the connection closes).
	APIBodyTimeout time.Duration `yaml:"api-body-timeout"`
	// APIWriteTimeout bounds writing an API response once it starts
	// (default 60s).
	APIWriteTimeout time.Duration `yaml:"api-write-timeout"`
	// MaxAPIBodyBytes bounds the body of an API request (bytes; default
	// 1048576; a larger one is refused with 413).
	MaxAPIBodyBytes int64 `yaml:"max-api-body-bytes"`

	// Caches, in entries; each is bounded so no flood of distinct
	// requests grows the router's memory without limit.
	//
	// DescriptionCacheSize: resolved service descriptions (default 4096).
	DescriptionCacheSize int `yaml:"description-cache-size"`
	// ServiceCacheSize: per-service overrides, suspension and source
	// tokens read from the store (default 10000).
	ServiceCacheSize int `yaml:"service-cache-size"`
	// TokenCacheSize: tokens and unknown token names (default 10000).
	TokenCacheSize int `yaml:"token-cache-size"`

	// InactiveServicesPerUser is how many descriptions of services that
	// no longer run (idle, deleted) the store keeps per run-as-user, for
	// /apps/{id} and to bring their overrides back when they restart;
	// older ones are purged with their overrides and suspension (default
	// 100). Descriptions are stored only for services that were started.
	InactiveServicesPerUser int `yaml:"inactive-services-per-user"`

	// LogRepeatWindow: a log line repeating one of the same kind (level,
	// message, service-id, instance, op, component) within this window
	// is dropped, and the next one let through says how many were
	// (dropped-repeats). Default 1s; 0 logs every line.
	LogRepeatWindow time.Duration `yaml:"log-repeat-window"`

	// DeploymentErrorMinHosts is how many hosts failed instances must span
	// before Waiter reports a deployment error (default 2; 1 with the
	// shell scheduler, whose instances all run on one host).
	DeploymentErrorMinHosts int `yaml:"deployment-error-min-hosts"`

	// ScalingPolicy is the default autoscaling policy ("waiter",
	// "knative" or "predictive"); a service may choose its own with the scaling-policy
	// parameter.
	ScalingPolicy string `yaml:"scaling-policy"`

	// Per-user limits; 0 means no limit.
	//
	// MaxServicesPerUser bounds the services one run-as-user may have at
	// once: a request that would create one more gets 429 (default 200).
	MaxServicesPerUser int `yaml:"max-services-per-user"`
	// MaxInstancesPerUser bounds the instances one run-as-user's services
	// may ask for in all: a new service whose min-instances do not fit
	// gets 429, and scaling up stops at the limit (default 1000).
	MaxInstancesPerUser int `yaml:"max-instances-per-user"`
	// MaxTokensPerOwner is Waiter's token-config limit-per-owner: live
	// tokens one owner may have; one more is 403, except in admin mode
	// (default 1000).
	MaxTokensPerOwner int `yaml:"max-tokens-per-owner"`

	// Shell configures the local-process scheduler.
	Shell Shell `yaml:"shell"`

	// Authenticator names how callers prove who they are: one-user (every
	// request acts as run-as-user: Waiter's dev mode), jwt, kerberos or
	// composite.
	Authenticator string `yaml:"authenticator"`
	// JWT configures the jwt authenticator.
	JWT JWT `yaml:"jwt"`
	// Kerberos configures the kerberos (SPNEGO) authenticator.
	Kerberos Kerberos `yaml:"kerberos"`
	// Composite lists the authenticators a composite one offers, in the
	// order their challenges are offered (e.g. [kerberos, jwt]).
	Composite []string `yaml:"composite"`
	// AuthSecret keys the x-waiter-auth cookie; routers that share it
	// accept each other's cookies. Default: the secret generated in the
	// data folder on first start.
	AuthSecret string `yaml:"auth-secret"`
	// LogFormat is text (key=value) or json; LogLevel the lowest level
	// logged (debug, info, warn or error).
	LogFormat string `yaml:"log-format"`
	LogLevel  string `yaml:"log-level"`
	// AccessLog, when set, receives one line per request with Waiter's
	// request-log fields, in LogFormat: a file (appended to), or stderr
	// or stdout.
	AccessLog string `yaml:"access-log"`
	// DebugListen, when set, is a loopback host:port where the router
	// serves Go's runtime profiles (/debug/pprof/: CPU, heap,
	// goroutines, allocations, execution trace) without authentication,
	// for its operators; "" (the default) serves none. Only a loopback
	// address is accepted: a profile shows the request path's code and
	// the goroutines' stacks, and a trace slows the router.
	DebugListen string `yaml:"debug-listen"`

	// ClusterSettings (cluster, zk-connect, ...) make the router one of a
	// cluster coordinated by ZooKeeper (cluster.go).
	ClusterSettings `yaml:",inline"`
	// PeerSettings (cluster-secret-file, ...): how the routers of a
	// cluster talk to each other (peers.go).
	PeerSettings `yaml:",inline"`

	// InsecureAllowAnyone lets a one-user router listen beyond loopback,
	// so that anyone who can reach it acts as run-as-user. It is logged
	// at start and shown by /settings.
	InsecureAllowAnyone bool `yaml:"insecure-allow-anyone"`
}

// JWT is the jwt authenticator's settings (adapters/jwt.Config).
type JWT struct {
	// JWKSFile or JWKSURL (exactly one) holds the signing keys.
	JWKSFile string `yaml:"jwks-file"`
	JWKSURL  string `yaml:"jwks-url"`
	// JWKSRefresh is how often the key set is re-read (default 10m).
	JWKSRefresh time.Duration `yaml:"jwks-refresh"`
	Issuer      string        `yaml:"issuer"`
	Audience    string        `yaml:"audience"`
	// Algorithms allowed in tokens (default RS256, ES256, EdDSA).
	Algorithms []string `yaml:"algorithms"`
	// ClockSkew is the leeway on exp and nbf (default 0).
	ClockSkew time.Duration `yaml:"clock-skew"`
	// SubjectClaim holds the user (default sub).
	SubjectClaim string `yaml:"subject-claim"`
}

// Kerberos is the kerberos authenticator's settings.
type Kerberos struct {
	// Keytab holds the service principal's keys.
	Keytab string `yaml:"keytab"`
	// ServicePrincipal, when set, is the one principal of the keytab
	// tickets must be for (e.g. HTTP/waiter.example.com).
	ServicePrincipal string `yaml:"service-principal"`
}

// MaxEventLoops bounds event-loops: each loop is a goroutine, an epoll
// set and an eventfd, and more loops than cores only wait in turn.
const MaxEventLoops = 1024

// Authenticators a configuration may name.
const (
	AuthOneUser   = "one-user"
	AuthJWT       = "jwt"
	AuthKerberos  = "kerberos"
	AuthComposite = "composite"
)

// Uses reports whether the configured authenticator includes name
// (itself, or as a member of a composite).
func (c Config) Uses(name string) bool {
	if c.Authenticator == name {
		return true
	}
	return c.Authenticator == AuthComposite && slices.Contains(c.Composite, name)
}

// LoopbackOnly reports whether host binds loopback addresses alone:
// "localhost" or a loopback IP. Every other name is treated as reachable
// from elsewhere (resolving it here would not bind the router to what it
// resolves to later).
func LoopbackOnly(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Shell holds the shell scheduler's settings.
type Shell struct {
	// WorkDir holds one folder per instance; default <data-dir>/scheduler.
	WorkDir string `yaml:"work-dir"`
	// PortRange is the first and last port handed to instances.
	PortRange []int `yaml:"port-range"`
	// Adopt takes over instances a previous run left alive instead of
	// stopping them.
	Adopt bool `yaml:"adopt"`
	// HealthCheckInterval overrides health-check-interval-secs for healthy
	// instances (tests shorten it).
	HealthCheckInterval time.Duration `yaml:"health-check-interval"`
	// FailedInstanceRetryInterval spaces relaunches of crashed instances.
	FailedInstanceRetryInterval time.Duration `yaml:"failed-instance-retry-interval"`
}

// Default is the configuration with no file and no flags.
// validDebugListen checks debug-listen: empty, or a loopback host and a
// port (0: one the kernel picks).
func validDebugListen(addr string) error {
	if addr == "" {
		return nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("debug-listen must be host:port (got %q): %w", addr, err)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("debug-listen's port must be between 0 and 65535 (got %q)", port)
	}
	if !LoopbackOnly(host) {
		return fmt.Errorf("debug-listen %q is not a loopback address: the runtime profiles are served without authentication", addr)
	}
	return nil
}

func Default() Config {
	return Config{
		Host:               "127.0.0.1",
		Port:               9091,
		DataDir:            "./waiter-data",
		Scheduler:          "shell",
		ServicePrefix:      "waiter-service-",
		QueueTimeout:       300 * time.Second,
		SocketTimeout:      900 * time.Second,
		StreamingTimeout:   20 * time.Second,
		ConnectTimeout:     5 * time.Second,
		PollInterval:       2 * time.Second,
		FastPollInterval:   200 * time.Millisecond,
		SchedulerWorkers:   8,
		ScalingInterval:    time.Second,
		DrainTimeout:       30 * time.Second,
		StaleCheckInterval: time.Minute,
		LogRepeatWindow:    time.Second,

		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		FastHTTP1:         true,
		EventLoop:         true,
		APIBodyTimeout:    60 * time.Second,
		APIWriteTimeout:   60 * time.Second,
		MaxAPIBodyBytes:   1 << 20,

		DescriptionCacheSize:    4096,
		ServiceCacheSize:        10000,
		TokenCacheSize:          10000,
		InactiveServicesPerUser: 100,

		MaxServicesPerUser:  200,
		MaxInstancesPerUser: 1000,
		MaxTokensPerOwner:   1000,
		ScalingPolicy:       "waiter",
		Authenticator:       AuthOneUser,
		LogFormat:           "text",
		LogLevel:            "info",
		ClusterSettings:     defaultCluster(),
		PeerSettings:        defaultPeers(),
	}
}

// Decode reads YAML over base, refusing unknown keys and trailing
// documents.
func Decode(r io.Reader, base Config) (Config, error) {
	cfg := base
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return base, nil // an empty file changes nothing
		}
		return Config{}, fmt.Errorf("config: %w", err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Config{}, errors.New("config: the file must hold exactly one YAML document")
	}
	return cfg, nil
}

// Load reads the YAML file at path over base.
func Load(path string, base Config) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	cfg, err := Decode(bytes.NewReader(b), base)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// Validate reports every setting that cannot work, at once.
func (c Config) Validate() error {
	var errs []error
	if c.Port < 0 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port must be between 0 and 65535 (got %d)", c.Port))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data-dir must be set"))
	}
	switch c.Scheduler {
	case "shell":
	case "marathon":
		if c.MarathonURL == "" {
			errs = append(errs, errors.New("scheduler marathon needs marathon-url"))
		}
	case "kubernetes":
		errs = append(errs, c.Kubernetes.validate()...)
	default:
		errs = append(errs, fmt.Errorf("scheduler must be shell, marathon or kubernetes (got %q)", c.Scheduler))
	}
	for name, d := range map[string]time.Duration{
		"queue-timeout": c.QueueTimeout, "socket-timeout": c.SocketTimeout,
		"streaming-timeout": c.StreamingTimeout, "connect-timeout": c.ConnectTimeout,
		"poll-interval": c.PollInterval, "fast-poll-interval": c.FastPollInterval,
		"scaling-interval": c.ScalingInterval, "drain-timeout": c.DrainTimeout,
		"log-repeat-window": c.LogRepeatWindow, "stale-check-interval": c.StaleCheckInterval,
	} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative (got %s)", name, d))
		}
	}
	switch c.ScalingPolicy {
	case "waiter", "knative", "predictive":
	default:
		errs = append(errs, fmt.Errorf("scaling-policy must be waiter, knative or predictive (got %q)", c.ScalingPolicy))
	}
	if pr := c.Shell.PortRange; len(pr) != 0 && (len(pr) != 2 || pr[0] < 1 || pr[1] > 65535 || pr[0] > pr[1]) {
		errs = append(errs, fmt.Errorf("shell.port-range must be [first, last] within 1..65535 (got %v)", pr))
	}
	for i, a := range c.Admins {
		if strings.TrimSpace(a) == "" {
			errs = append(errs, fmt.Errorf("admins[%d] must be a user name, not blank", i))
		}
	}
	if err := validDebugListen(c.DebugListen); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format must be text or json (got %q)", c.LogFormat))
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.LogLevel) {
		errs = append(errs, fmt.Errorf("log-level must be debug, info, warn or error (got %q)", c.LogLevel))
	}
	for name, n := range map[string]int{
		"scheduler-workers": c.SchedulerWorkers, "max-services-per-user": c.MaxServicesPerUser,
		"max-instances-per-user": c.MaxInstancesPerUser, "max-tokens-per-owner": c.MaxTokensPerOwner,
		"inactive-services-per-user": c.InactiveServicesPerUser,
	} {
		if n < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative (got %d)", name, n))
		}
	}
	// Zero would turn a bound off (or make a cache useless): the
	// listener's limits and the caches' sizes must be positive.
	for name, d := range map[string]time.Duration{
		"read-header-timeout": c.ReadHeaderTimeout, "idle-timeout": c.IdleTimeout,
		"api-body-timeout": c.APIBodyTimeout, "api-write-timeout": c.APIWriteTimeout,
	} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive (got %s)", name, d))
		}
	}
	for name, n := range map[string]int64{
		"max-header-bytes": int64(c.MaxHeaderBytes), "max-api-body-bytes": c.MaxAPIBodyBytes,
		"description-cache-size": int64(c.DescriptionCacheSize), "service-cache-size": int64(c.ServiceCacheSize),
		"token-cache-size": int64(c.TokenCacheSize),
	} {
		if n <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive (got %d)", name, n))
		}
	}
	if c.EventLoops < 0 || c.EventLoops > MaxEventLoops {
		errs = append(errs, fmt.Errorf("event-loops must be from 0 (one per CPU) to %d (got %d)", MaxEventLoops, c.EventLoops))
	}
	errs = append(errs, c.validateAuth()...)
	errs = append(errs, c.ServiceCORS.validate()...)
	errs = append(errs, c.validateCluster()...)
	errs = append(errs, c.TLS.validate()...)
	errs = append(errs, c.validatePeers()...)
	return errors.Join(errs...)
}
