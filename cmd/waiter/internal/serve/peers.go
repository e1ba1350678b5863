package serve

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/peering"
	"github.com/waiter-go/waiter/cmd/waiter/internal/router"
	"github.com/waiter-go/waiter/engine"
)

// peerNet is the router's place among its peers (cmd/waiter/internal/peering):
// nil for a router alone, whose wiring stays exactly what it was.
type peerNet struct {
	p *peering.Peering
}

// joinPeers builds the peer network of a router in a cluster (members
// set), signed with the cluster secret; nil without a cluster.
func joinPeers(cfg config.Config, members waiter.Membership, clk clock.Clock, log *slog.Logger) (*peerNet, error) {
	if members == nil {
		return nil, nil
	}
	secret, err := cfg.ClusterSecret()
	if err != nil {
		return nil, err
	}
	p, err := peering.New(peering.Config{Membership: members, Secret: secret, Clock: clk,
		Interval: cfg.MetricsSyncInterval, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("peers: %w", err)
	}
	return &peerNet{p: p}, nil
}

// engine sets what the engine needs to know of its cluster.
func (n *peerNet) engine(cfg config.Config, ec *engine.Config) {
	if n == nil {
		return
	}
	ec.RouterID = cfg.RouterID
	ec.PeerCountersTTL = cfg.PeerCountersTTL
}

// driver gives the driver its cluster: the membership to follow and the
// peers to ask.
func (n *peerNet) driver(rc *router.Config) {
	if n == nil {
		return
	}
	rc.Membership = n.p.Membership()
	rc.Peers = n.p.Peers()
}

// start binds the driver and runs the metrics sync until ctx ends.
func (n *peerNet) start(ctx context.Context, drv *router.Driver) (wait func()) {
	if n == nil {
		return func() {}
	}
	n.p.Bind(drv)
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.p.Run(ctx)
	}()
	return func() {
		n.p.Close()
		<-done
	}
}

// intercepts reports whether handler's wrapper serves r itself, not the
// edge (the event loops leave those requests to the goroutine front,
// which runs the wrapper).
func (n *peerNet) intercepts(r *http.Request) bool {
	return n != nil && peering.Intercepts(r)
}

// handler serves the inter-router endpoints beside the edge.
func (n *peerNet) handler(edge http.Handler) http.Handler {
	if n == nil {
		return edge
	}
	return n.p.Wrap(edge)
}

// forCluster: the routers of a cluster share their instances, so they
// must send them the same password (Waiter hashes the service id with the
// cluster password): the key comes from the cluster secret, not from the
// router's own data folder. It is a key of its own (HMAC of a label), so
// the secret that signs inter-router calls is never the one instances
// learn a hash of. A router alone keeps its own key.
func (p passwords) forCluster(cfg config.Config) (passwords, error) {
	if cfg.Cluster == "" {
		return p, nil
	}
	secret, err := cfg.ClusterSecret()
	if err != nil {
		return p, err
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("waiter backend passwords v1"))
	return passwords{key: mac.Sum(nil)}, nil
}
