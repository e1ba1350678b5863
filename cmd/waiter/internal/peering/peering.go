package peering

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/adapters/peers"
	"github.com/waiter-go/waiter/cmd/waiter/internal/router"
	"github.com/waiter-go/waiter/engine"
)

// Config sets up a Peering.
type Config struct {
	Membership waiter.Membership
	// Secret is the cluster secret every router shares.
	Secret []byte
	Clock  clock.Clock
	// Interval is the metrics-sync interval (50 ms when zero).
	Interval time.Duration
	Logger   *slog.Logger
}

// Peering is a router's place in its cluster's peer network.
type Peering struct {
	net   *peers.Network
	local *lateLocal
	// driverView is the Membership the driver follows; forward feeds it
	// and the network's own view from the one Membership.
	driverView waiter.Membership
	forward    func(ctx context.Context)
}

// New builds the peer network for a driver not built yet: pass Peers()
// and Membership() to router.Config, then Bind the driver before Run.
func New(cfg Config) (*Peering, error) {
	l := &lateLocal{}
	views, forward := Tee(cfg.Membership, 2)
	n, err := peers.New(peers.Config{Membership: views[0], Secret: cfg.Secret, Local: l, Clock: cfg.Clock,
		Interval: cfg.Interval, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	return &Peering{net: n, local: l, driverView: views[1], forward: forward}, nil
}

// Membership is what the driver follows (router.Config.Membership): the
// same routers and leader, with its own change signal.
func (p *Peering) Membership() waiter.Membership { return p.driverView }

// Peers is the driver's view of the other routers.
func (p *Peering) Peers() router.Peers { return p.net }

// Bind makes d the router the network publishes and answers for.
func (p *Peering) Bind(d *router.Driver) { p.local.d.Store(d) }

// Run publishes this router's counters to every peer, and passes on the
// membership's changes, until ctx ends.
func (p *Peering) Run(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.forward(ctx)
	}()
	p.net.Run(ctx)
	<-done
}

// Close ends the sync connections peers opened to this router.
func (p *Peering) Close() { p.net.Close() }

// Wrap serves the inter-router endpoints (paths under peers.Prefix) and
// hands every other request to api.
func (p *Peering) Wrap(api http.Handler) http.Handler {
	inter := p.net.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if Intercepts(r) {
			inter.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// Intercepts reports whether Wrap's handler serves r itself (an
// inter-router call) rather than the api.
func Intercepts(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, peers.Prefix) }

// errNotBound answers peers before the driver is bound.
var errNotBound = errors.New("router starting")

// lateLocal is the driver as peers.Local, bound after the network exists
// (the driver needs the network first). Until then it knows nothing.
type lateLocal struct{ d atomic.Pointer[router.Driver] }

func (l *lateLocal) Counters() []engine.ServiceCounters {
	if d := l.d.Load(); d != nil {
		return d.Counters()
	}
	return nil
}

func (l *lateLocal) PeerCounters(pc engine.PeerCounters) {
	if d := l.d.Load(); d != nil {
		d.PeerCounters(pc)
	}
}

func (l *lateLocal) Eject(from, service, instance, reason string) error {
	if d := l.d.Load(); d != nil {
		return d.Eject(from, service, instance, reason)
	}
	return errNotBound
}

func (l *lateLocal) KillCandidate(ctx context.Context, from, service string) (string, error) {
	if d := l.d.Load(); d != nil {
		return d.KillCandidate(ctx, from, service)
	}
	return "", waiter.ErrNothingToKill
}

func (l *lateLocal) SlotOffered(from, service, instance string) {
	if d := l.d.Load(); d != nil {
		d.SlotOffered(from, service, instance)
	}
}

func (l *lateLocal) SlotReleased(from, service, instance string, o engine.Outcome) {
	if d := l.d.Load(); d != nil {
		d.SlotReleased(from, service, instance, o)
	}
}

func (l *lateLocal) ServiceCounters(service string) (engine.ServiceCounters, bool) {
	if d := l.d.Load(); d != nil {
		return d.ServiceCounters(service)
	}
	return engine.ServiceCounters{}, false
}

func (l *lateLocal) Knows(service string) bool {
	if d := l.d.Load(); d != nil {
		return d.Running(service)
	}
	return false
}
