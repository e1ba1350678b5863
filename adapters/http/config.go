package waiterhttp

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/warmconn"
)

// Config holds the router-wide settings of the HTTP edge. Zero fields take
// Waiter's defaults (reference 1.6 and appendix A).
type Config struct {
	// RouterID names this router in debug headers, errors and /state.
	RouterID string
	// Hostnames are the router's own names: requests addressed to them
	// without x-waiter-* headers are API calls, and no token may take one
	// of these names. localhost, 127.0.0.1 and ::1 are always included.
	Hostnames []string
	// CORSAllowedOrigins are the origins (scheme://host[:port]) besides the
	// router's own whose web pages may call the API from a browser,
	// including its state-changing calls; default none.
	CORSAllowedOrigins []string
	// ServiceCORS is the CORS policy of proxied requests whose tokens set
	// no cors-rules; default none.
	ServiceCORS ServiceCORS
	// Version is shown in the via and server headers; default the VCS
	// revision the binary was built from (Waiter shows its git sha).
	Version string
	// InstanceFiles reads instances' work folders for /apps/{id}/logs;
	// nil: the scheduler keeps none the router can read (501).
	InstanceFiles waiter.InstanceFiles
	// WarmConns holds connections a scheduler's health check left open
	// to instances it just found ready (internal/warmconn): the first
	// request to such an instance takes one instead of connecting. nil:
	// none.
	WarmConns *warmconn.Pool
	// Cluster names the cluster in token system metadata ("cluster" and
	// "root"); default RouterID, the name instances get as WAITER_CLUSTER.
	Cluster string
	// Description holds the service-id prefix, defaults and profiles that
	// every service description is built with.
	Description engine.DescriptionOptions
	// QueueTimeout is the default wait for an instance slot
	// (queue-timeout-ms, 300 000 ms).
	QueueTimeout time.Duration
	// SocketTimeout is the default backend idle timeout until the response
	// starts (initial-socket-timeout-ms, 900 000 ms).
	SocketTimeout time.Duration
	// StreamingTimeout is the default idle timeout between bytes while
	// streaming (streaming-timeout-ms, 20 000 ms).
	StreamingTimeout time.Duration
	// ConnectTimeout bounds the TCP connect to an instance
	// (connection-timeout-ms, 5 000 ms).
	ConnectTimeout time.Duration
	// FallbackPeriod is the default token fallback-period-secs (300 s).
	FallbackPeriod time.Duration
	// PingTimeout is /waiter-ping's overall default (300 000 ms).
	PingTimeout time.Duration
	// AsyncCheckInterval is how often the status of an async (202)
	// request is checked (async-check-interval-ms, 3 000 ms);
	// AsyncRequestTimeout how long its instance is held at most
	// (async-request-timeout-ms, 60 000 ms). Requests may ask for others
	// with x-waiter-async-check-interval and -request-timeout.
	AsyncCheckInterval  time.Duration
	AsyncRequestTimeout time.Duration
	// Settings is what GET /settings shows (already sanitized).
	Settings any
	// Transport, when set, carries every proxied request (tests use it);
	// otherwise the server builds one per backend protocol.
	Transport http.RoundTripper
	// BackendAuth, when set, returns the credentials the router sends to an
	// instance as HTTP Basic auth (Waiter's service password). Schedulers
	// that export WAITER_USERNAME and WAITER_PASSWORD to instances must
	// agree with it. It must depend on the service id only: the edge
	// caches its answer per service (backendauth.go).
	BackendAuth func(serviceID string) (user, password string, ok bool)
	// AuthCookieSecret keys the x-waiter-auth cookie that remembers an
	// authenticated client (at least 16 bytes; routers that share it
	// accept each other's cookies). Nil: no cookies are set or read.
	AuthCookieSecret []byte
	// AuthCookieScope names the authenticator that issues the cookies
	// (e.g. "jwt"): a cookie issued under another scope is refused, so
	// changing the authenticator retires every cookie it issued.
	AuthCookieScope string
	// AuthCookieAge is how long a cookie is good for (Waiter: one day).
	AuthCookieAge time.Duration
	// Logger receives request failures; nil discards them.
	Logger *slog.Logger
	// AccessLog, when set, receives one entry per request with Waiter's
	// request-log fields (cid, service-id, instance-id, status, latency,
	// queue time as get-instance-latency-ns, ...); nil logs none.
	AccessLog *slog.Logger

	// MaxAPIBodyBytes bounds the body of an API request (bytes; default
	// 1 MiB): a larger one is refused with 413 naming the limit.
	MaxAPIBodyBytes int64
	// APIBodyTimeout bounds the time to receive an API request's body
	// (default 60 s): a client that stalls gets 408 and its connection
	// is closed.
	APIBodyTimeout time.Duration
	// APIWriteTimeout bounds the time to write an API response once it
	// starts (default 60 s). Proxied responses have no such bound: they
	// stream for as long as the backend does, under the idle-based
	// streaming timeout.
	APIWriteTimeout time.Duration
	// MaxTokensPerOwner is Waiter's :token-config :limit-per-owner: the
	// live tokens one owner may have (default 1000; negative: no limit).
	// Admin-mode writes are not limited.
	MaxTokensPerOwner int
	// DescriptionCacheSize bounds the cache of resolved descriptions
	// (entries; default 4096).
	DescriptionCacheSize int
	// ServiceCacheSize bounds the per-service records (overrides,
	// suspension, source tokens) kept from the store (entries; default
	// 10 000).
	ServiceCacheSize int
}

// Defaults of the limits above.
const (
	DefaultMaxAPIBodyBytes      = 1 << 20
	DefaultAPIBodyTimeout       = 60 * time.Second
	DefaultAPIWriteTimeout      = 60 * time.Second
	DefaultMaxTokensPerOwner    = 1000
	DefaultDescriptionCacheSize = 4096
	DefaultServiceCacheSize     = 10000
)

func (c Config) withDefaults() Config {
	setD := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	setD(&c.QueueTimeout, 300*time.Second)
	setD(&c.SocketTimeout, 900*time.Second)
	setD(&c.StreamingTimeout, 20*time.Second)
	setD(&c.ConnectTimeout, 5*time.Second)
	setD(&c.FallbackPeriod, 300*time.Second)
	setD(&c.PingTimeout, 300*time.Second)
	setD(&c.AsyncCheckInterval, defaultAsyncCheckInterval)
	setD(&c.AsyncRequestTimeout, defaultAsyncRequestTimeout)
	setD(&c.APIBodyTimeout, DefaultAPIBodyTimeout)
	setD(&c.APIWriteTimeout, DefaultAPIWriteTimeout)
	if c.MaxTokensPerOwner == 0 {
		c.MaxTokensPerOwner = DefaultMaxTokensPerOwner
	}
	if c.DescriptionCacheSize <= 0 {
		c.DescriptionCacheSize = DefaultDescriptionCacheSize
	}
	if c.ServiceCacheSize <= 0 {
		c.ServiceCacheSize = DefaultServiceCacheSize
	}
	if c.MaxAPIBodyBytes <= 0 {
		c.MaxAPIBodyBytes = DefaultMaxAPIBodyBytes
	}
	if c.RouterID == "" {
		c.RouterID = "router"
	}
	if c.Cluster == "" {
		c.Cluster = c.RouterID
	}
	if c.Version == "" {
		c.Version = buildVersion()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
