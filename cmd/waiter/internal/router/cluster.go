package router

import (
	"context"
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
			d.cluster = clusterState{routers: routers, leader: leader}
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
		d.step(engine.Event{Kind: engine.EvPeerCounters, Peer: &p})
	})
}

// Counters are this router's counters of every service it knows: what it
// publishes to its peers.
func (d *Driver) Counters() []engine.ServiceCounters {
	var out []engine.ServiceCounters
	d.do(func() {
		ids := d.eng.ServiceIDs()
		out = make([]engine.ServiceCounters, 0, len(ids))
		for _, id := range ids {
			if c, ok := d.countersLocked(id); ok {
				out = append(out, c)
			}
		}
	})
	return out
}

// ServiceCounters are this router's counters of one service.
func (d *Driver) ServiceCounters(id string) (engine.ServiceCounters, bool) {
	var c engine.ServiceCounters
	ok := false
	d.do(func() { c, ok = d.countersLocked(id) })
	return c, ok
}

// countersLocked: holding mu.
func (d *Driver) countersLocked(id string) (engine.ServiceCounters, bool) {
	l, ok := d.eng.ServiceLoad(id)
	if !ok {
		return engine.ServiceCounters{}, false
	}
	c := engine.ServiceCounters{Service: id, Outstanding: l.InFlight + l.Waiting, Waiting: l.Waiting,
		SlotsInUse: l.InFlight, SlotsAvailable: l.FreeSlots}
	if rec := d.services[id]; rec != nil {
		c.LastRequest = rec.lastRequest
	}
	return c, true
}

// askEject carries out ActAskEject: every peer is asked to eject the
// victim before the kill, and the engine learns whether one vetoed.
func (d *Driver) askEject(a engine.Action) {
	peers := d.cfg.Peers
	d.ops.submit(a.Service, func() {
		var err error
		if peers != nil {
			err = peers.AskEject(d.opCtx, a.Service, a.Instance, "prepare-to-kill")
		}
		if err != nil {
			d.log.Info("kill vetoed by a peer", "service-id", a.Service, "instance-id", a.Instance, "error", err)
		}
		d.do(func() {
			d.step(engine.Event{Kind: engine.EvEjectResult, Service: a.Service, Instance: a.Instance, Err: err})
		})
	})
}

// ejectKilled tells every peer a killed instance is gone, so none routes
// to it while the scheduler's next report is on its way. Best effort: a
// peer that misses it learns from the scheduler.
func (d *Driver) ejectKilled(service, instance string) {
	if d.cfg.Peers == nil {
		return
	}
	go func() {
		ctx, cancel := d.clk.WithTimeout(d.opCtx, d.cfg.CallTimeout)
		defer cancel()
		if err := d.cfg.Peers.AskEject(ctx, service, instance, "killed"); err != nil {
			d.log.Debug("telling peers of a killed instance", "service-id", service, "instance-id", instance, "error", err)
		}
	}()
}

// Eject is peer from's request to stop routing to an instance (before
// it kills it, or after): waiter.ErrInstanceInUse while requests run on
// it here.
func (d *Driver) Eject(from, service, instance, reason string) error {
	var err error
	if !d.do(func() { err = d.ejectLocked(from, service, instance, reason) }) {
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
	d.do(func() { d.slotOfferedLocked(from, service, instance) })
}

// SlotReleased: peer from gives back a slot this router lent it.
func (d *Driver) SlotReleased(from, service, instance string, outcome engine.Outcome) {
	d.do(func() { d.slotReleasedLocked(from, service, instance, outcome) })
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

// AwaitDeleted waits until no router knows service (this one and every
// peer), polling until ctx ends (Waiter's routers-agree).
func (d *Driver) AwaitDeleted(ctx context.Context, id string) error {
	t := d.clk.Ticker(100 * time.Millisecond)
	defer t.Stop()
	for {
		var knowing []string
		var err error
		if d.Knows(id) {
			knowing = append(knowing, d.cfg.Engine.RouterID)
		}
		if d.cfg.Peers != nil {
			var peers []string
			peers, err = d.cfg.Peers.PeersKnowing(ctx, id)
			knowing = append(knowing, peers...)
		}
		if len(knowing) == 0 && err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return fmt.Errorf("routers did not all answer: %w", err)
			}
			return fmt.Errorf("routers still knowing the service: %v", knowing)
		case <-t.C:
		}
	}
}

// clusterView is the cluster part of /state.
func (d *Driver) clusterView() map[string]any {
	ids := make([]string, 0, len(d.cluster.routers))
	urls := map[string]string{}
	for _, r := range d.cluster.routers {
		ids = append(ids, r.ID)
		urls[r.ID] = r.URL
	}
	out := map[string]any{"router-id": d.cfg.Engine.RouterID, "routers": ids, "router-urls": urls,
		"leader-id": d.cluster.leader, "leader": d.cfg.Membership == nil || d.cluster.leader == d.cfg.Engine.RouterID}
	if d.cfg.Membership == nil {
		out["routers"] = []string{d.cfg.Engine.RouterID}
		out["leader-id"] = d.cfg.Engine.RouterID
	}
	slots := map[string]any{}
	for _, id := range d.eng.ServiceIDs() {
		if l, ok := d.eng.ServiceLoad(id); ok {
			slots[id] = map[string]int{"slots-in-use": l.InFlight, "slots-available": l.FreeSlots}
		}
	}
	out["slots"] = slots
	return out
}
