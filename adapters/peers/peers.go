package peers

import (
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/coder/websocket"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/internal/peerauth"
)

// Config sets up a Network.
type Config struct {
	// Membership lists the routers (peers are every router but Self).
	Membership waiter.Membership
	// Secret is the cluster secret every router shares.
	Secret []byte
	// Local is this router.
	Local Local
	// Clock is the only source of time.
	Clock clock.Clock
	// Interval is how often counters are sent to every peer (Waiter's
	// metrics-sync-interval-ms, 50 ms).
	Interval time.Duration
	// IdleTimeout closes an incoming sync connection silent this long
	// (inter-router-metrics-idle-timeout-ms, 2 s).
	IdleTimeout time.Duration
	// CallTimeout bounds one inter-router HTTP call (default 5 s).
	CallTimeout time.Duration
	// Logger receives connection problems; nil discards them.
	Logger *slog.Logger
}

// Defaults for Config.
const (
	DefaultInterval    = 50 * time.Millisecond
	DefaultIdleTimeout = 2 * time.Second
	DefaultCallTimeout = 5 * time.Second
	maxBackoff         = 2 * time.Second
	minBackoff         = 50 * time.Millisecond
)

// Network is this router's end of the peer network: the sync publishers
// (Run), the endpoints peers call (Handler) and the calls this router
// makes (AskEject, DelegateKill, ...).
type Network struct {
	cfg      Config
	self     waiter.RouterInfo
	signer   *peerauth.Signer
	verifier *peerauth.Verifier
	client   *http.Client
	log      *slog.Logger

	// incoming are the sync connections peers opened to this router:
	// http.Server.Shutdown does not close hijacked connections, Close does.
	mu       sync.Mutex
	incoming map[*websocket.Conn]struct{}
	closed   bool
}

// New returns a Network; Run starts the metrics sync.
func New(cfg Config) (*Network, error) {
	if cfg.Membership == nil || cfg.Local == nil || cfg.Clock == nil {
		return nil, errors.New("peers: New needs a Membership, a Local and a Clock")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = DefaultCallTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	self := cfg.Membership.Self()
	signer, err := peerauth.NewSigner(self.ID, cfg.Secret, cfg.Clock.Now)
	if err != nil {
		return nil, err
	}
	verifier, err := peerauth.NewVerifier(self.ID, cfg.Secret, cfg.Clock.Now, peerauth.VerifierOptions{MaxBody: MaxMessage})
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	tr.ResponseHeaderTimeout = cfg.CallTimeout
	return &Network{cfg: cfg, self: self, signer: signer, verifier: verifier,
		client: &http.Client{Transport: tr}, log: cfg.Logger, incoming: map[*websocket.Conn]struct{}{}}, nil
}

// peers are the routers other than this one.
func (n *Network) peers() []waiter.RouterInfo {
	all := n.cfg.Membership.Routers()
	out := make([]waiter.RouterInfo, 0, len(all))
	for _, r := range all {
		if r.ID != n.self.ID {
			out = append(out, r)
		}
	}
	return out
}

// Close ends every sync connection peers opened to this router and
// refuses new ones: a router shutting down stops receiving counters.
func (n *Network) Close() {
	n.mu.Lock()
	n.closed = true
	conns := n.incoming
	n.incoming = map[*websocket.Conn]struct{}{}
	n.mu.Unlock()
	for c := range conns {
		_ = c.Close(websocket.StatusGoingAway, "router shutting down")
	}
}

// track remembers an incoming connection until untrack; false once closed.
func (n *Network) track(c *websocket.Conn) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return false
	}
	n.incoming[c] = struct{}{}
	return true
}

func (n *Network) untrack(c *websocket.Conn) {
	n.mu.Lock()
	delete(n.incoming, c)
	n.mu.Unlock()
}
