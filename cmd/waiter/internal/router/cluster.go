package router

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Peers is what the driver asks of the other routers of its cluster
// (adapters/peers implements it). A router alone has none.
type Peers interface {
	// AskEject asks every peer to eject instance of service; an error
	// when one refused (it uses it) or did not answer.
	AskEject(ctx context.Context, service, instance, reason string) error
	// AskKillCandidate asks peer router for an instance of service the
	// leader may kill (a delegated kill).
	AskKillCandidate(ctx context.Context, router, service string) (string, error)
	// OfferSlot lends peer router a slot of instance (work stealing);
	// ReleaseSlot gives back a slot router lent.
	OfferSlot(ctx context.Context, router, service, instance string) error
	ReleaseSlot(ctx context.Context, router, service, instance string, outcome engine.Outcome) error
	// PeerServiceCounters asks every peer for its counters of service:
	// the peers that know it, and those that could not answer.
	PeerServiceCounters(ctx context.Context, service string) (map[string]engine.ServiceCounters, map[string]error)
	// PeersKnowing lists the peers that still know service.
	PeersKnowing(ctx context.Context, service string) ([]string, error)
}

// clusterState is what the driver last told the engine about its cluster,
// for /state. Guarded by mu.
type clusterState struct {
	routers []waiter.RouterInfo
	leader  string
	// heard is when each peer's counters last arrived (for /state: a
	// peer cut off shows here first; the engine decides what counts).
	heard map[string]time.Time
}

// watchMembership tells the engine of the cluster as it is now, then
// every time the membership changes, until ctx ends.
func (d *Driver) watchMembership(ctx context.Context, m waiter.Membership) {
	for {
		routers, leads, leader := m.Routers(), m.Leader(), m.LeaderID()
		view := &engine.ClusterView{Leader: leads}
		for _, r := range routers {
			view.Routers = append(view.Routers, r.ID)
		}
		d.do(func() {
			d.cluster.routers, d.cluster.leader = routers, leader
			d.step(engine.Event{Kind: engine.EvClusterChanged, Cluster: view})
		})
		select {
		case <-ctx.Done():
			return
		case <-m.Changed():
		}
	}
}

// PeerCounters feeds a peer's counters to the engine, stamped with this
// router's clock (the engine forgets them after PeerCountersTTL).
func (d *Driver) PeerCounters(p engine.PeerCounters) {
	d.do(func() {
		p.At = d.clk.Now()
		if d.cluster.heard == nil {
			d.cluster.heard = map[string]time.Time{}
		}
		d.cluster.heard[p.Router] = p.At
		d.step(engine.Event{Kind: engine.EvPeerCounters, Peer: &p})
	})
}

// Counters are this router's counters of every service it knows: what it
// publishes to its peers.
func (d *Driver) Counters() []engine.ServiceCounters {
	var out []engine.ServiceCounters
	d.do(func() { out = d.eng.AppendCounters(nil) })
	return out
}

// ServiceCounters are this router's counters of one service.
func (d *Driver) ServiceCounters(id string) (engine.ServiceCounters, bool) {
	var c engine.ServiceCounters
	ok := false
	d.do(func() {
		if ok = d.eng.Knows(id); ok {
			c = d.eng.Counters(id)
		}
	})
	return c, ok
}

// askEject carries out ActAskEject: every peer is asked to eject the
// victim before the kill, and the engine learns whether one vetoed (an
// unreachable peer vetoes: it may be using the instance).
func (d *Driver) askEject(a engine.Action) {
	report := func(err error) {
		if err != nil {
			d.log.Info("kill vetoed by a peer", "service-id", a.Service, "instance-id", a.Instance, "error", err)
		}
		d.do(func() {
			d.step(engine.Event{Kind: engine.EvEjectResult, Service: a.Service, Instance: a.Instance, Err: err})
		})
	}
	if d.cfg.Peers == nil {
		// A cluster without a peer network cannot ask: no kill.
		d.pending = append(d.pending, engine.Event{Kind: engine.EvEjectResult, Service: a.Service,
			Instance: a.Instance, Err: errNoPeers})
		return
	}
	d.peerCall(func(ctx context.Context, p Peers) { report(p.AskEject(ctx, a.Service, a.Instance, "prepare-to-kill")) })
}

// errNoPeers vetoes kills in a cluster the driver cannot reach.
var errNoPeers = errors.New("no peer network to ask before a kill")

// ejectKilled tells every peer a killed instance is gone, so none routes
// to it while the scheduler's next report is on its way. Best effort: a
// peer that misses it learns from the scheduler.
func (d *Driver) ejectKilled(service, instance string) {
	d.peerCall(func(ctx context.Context, p Peers) {
		if err := p.AskEject(ctx, service, instance, "killed"); err != nil {
			d.log.Debug("telling peers of a killed instance", "service-id", service, "instance-id", instance, "error", err)
		}
	})
}

// Eject is peer from's request to stop routing to an instance (before
// it kills it, or after): waiter.ErrInstanceInUse while requests run on
// it here.
func (d *Driver) Eject(from, service, instance, reason string) error {
	var err error
	if !d.do(func() { err = d.ejectLocked(from, service, instance) }) {
		return ErrStopped
	}
	return err
}

// KillCandidate is the leader's delegated kill: this router names one
// instance of service the leader may kill.
func (d *Driver) KillCandidate(ctx context.Context, from, service string) (string, error) {
	var id string
	var err error
	if !d.do(func() { id, err = d.killCandidateLocked(from, service) }) {
		return "", ErrStopped
	}
	return id, err
}

// SlotOffered: peer from lends this router a slot (work stealing).
func (d *Driver) SlotOffered(from, service, instance string) {
	d.do(func() {
		d.step(engine.Event{Kind: engine.EvSlotOffered, Router: from, Service: service, Instance: instance})
	})
}

// SlotReleased: peer from gives back a slot this router lent it.
func (d *Driver) SlotReleased(from, service, instance string, outcome engine.Outcome) {
	d.do(func() {
		d.step(engine.Event{Kind: engine.EvSlotReleased, Router: from, Service: service, Instance: instance,
			Outcome: outcome})
	})
}

// ClusterMetrics are a service's counters on this router and on every
// peer that knows it, with the peers that could not answer.
func (d *Driver) ClusterMetrics(ctx context.Context, id string) (waiter.ClusterMetrics, bool) {
	own, ok := d.ServiceCounters(id)
	m := waiter.ClusterMetrics{Routers: map[string]engine.ServiceCounters{}, Errors: map[string]string{}}
	if ok {
		m.Routers[d.cfg.Engine.RouterID] = own
	}
	if d.cfg.Peers != nil {
		got, errs := d.cfg.Peers.PeerServiceCounters(ctx, id)
		for r, c := range got {
			m.Routers[r] = c
		}
		for r, err := range errs {
			m.Errors[r] = err.Error()
		}
	}
	m.Aggregate = waiter.SumCounters(id, m.Routers)
	return m, len(m.Routers) > 0
}

// Running reports whether this router still sees service on the
// scheduler: it knows it and the scheduler's last report listed it. A
// deleted service stops running on every router as each observes it
// gone (what DELETE ?timeout= waits for: Waiter's routers-agree).
func (d *Driver) Running(id string) bool {
	running := false
	d.do(func() {
		if v, ok := d.sync.View(id); ok {
			running = v.Observed
		}
	})
	return running
}

// AwaitDeleted waits until no router runs service (this one and every
// peer), asking again every 100 ms until ctx ends (Waiter's
// routers-agree). The error names the routers that still knew it, or
// could not say, when last asked.
func (d *Driver) AwaitDeleted(ctx context.Context, id string) error {
	t := d.clk.Ticker(100 * time.Millisecond)
	defer t.Stop()
	var last error
	for {
		var knowing []string
		var err error
		if d.Running(id) {
			knowing = append(knowing, d.cfg.Engine.RouterID)
		}
		if d.cfg.Peers != nil {
			var peers []string
			peers, err = d.cfg.Peers.PeersKnowing(ctx, id)
			knowing = append(knowing, peers...)
		}
		if ctx.Err() == nil || last == nil {
			// A round cut short by the deadline says nothing new.
			switch {
			case len(knowing) > 0:
				last = fmt.Errorf("routers still knowing the service: %v", knowing)
			case err != nil:
				last = fmt.Errorf("routers did not all answer: %w", err)
			default:
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return last
		case <-t.C:
		}
	}
}

// clusterView is the cluster part of /state: the routers, the leader and
// this router's slots of every service (owned by the HRW distribution,
// received from and lent to peers). Holding mu.
func (d *Driver) clusterView() map[string]any {
	self := d.cfg.Engine.RouterID
	ids := []string{self}
	urls := map[string]string{}
	leaderID := self
	if d.cfg.Membership != nil {
		ids = ids[:0]
		for _, r := range d.cluster.routers {
			ids = append(ids, r.ID)
			urls[r.ID] = r.URL
		}
		leaderID = d.cluster.leader
	}
	slots := map[string]any{}
	for _, id := range d.eng.ServiceIDs() {
		var list []map[string]any
		for _, s := range d.eng.AppendSlots(id, nil) {
			list = append(list, map[string]any{"instance-id": s.Instance, "owned": s.Owned,
				"received": s.Received, "lent": s.Lent, "in-use": s.InUse})
		}
		slots[id] = list
	}
	heard := map[string]int64{}
	now := d.clk.Now()
	for _, r := range ids {
		if at, ok := d.cluster.heard[r]; ok && r != self {
			heard[r] = now.Sub(at).Milliseconds()
		}
	}
	return map[string]any{"router-id": self, "routers": ids, "router-urls": urls,
		"leader-id": leaderID, "leader": d.eng.Leader(), "slots": slots, "peer-counters-age-ms": heard}
}
