package engine

import "time"

// This file is the seam between the engine and a cluster of routers
// (reference section 4). It declares what a driver tells the engine about
// its peers and what the engine asks the driver to tell them; the rules
// that use these types (HRW slot distribution, cluster-sum scaling,
// leader-only scheduler actions, the kill protocol and work stealing) live
// beside them in this package, so the production driver and the
// simulator run the same code. A router alone is a cluster of one: with
// no EvClusterChanged the engine behaves as a single router that leads.
//
// What a driver of a cluster does (cluster_engine.go has the rules):
//   - On every membership or leadership change, Step EvClusterChanged
//     (Cluster: all live router ids and whether this one leads). The
//     engine recomputes every service's slots (DistributeSlots over the
//     healthy instances) and routes only over its own slots plus those
//     peers lend it.
//   - Every metrics-sync interval, publish AppendCounters to every peer;
//     Step each peer's report as EvPeerCounters (At: when it arrived).
//     The autoscaler and idle removal see the cluster sum; reports older
//     than Config.PeerCountersTTL no longer count.
//   - Only a leader emits ActScaleService, scale-down ActKillInstance and
//     idle (or retiring) ActDeleteService; every router computes the
//     decisions, so a new leader starts warm. Any router creates a service
//     on its first request (ActCreateService), as in Waiter, and carries
//     out an operator's kill or delete it receives. Before a
//     scale-down kill the leader emits ActAskEject: send EvEjectRequested
//     to every other member, collect their ActEjectAnswer and Step one
//     EvEjectResult (Err set if any peer vetoed or could not be asked).
//     ActDelegateKill goes to the named peer as EvKillDelegated; its
//     ActKillCandidate comes back as EvKillCandidate.
//   - Work stealing: ActOfferSlot goes to the named peer as EvSlotOffered;
//     the peer's ActReleaseSlot comes back as EvSlotReleased (Err set
//     when the offer could not be delivered).
//
// Inter-router events carry the peer's id in Event.Router, actions in
// Action.Router.

// ClusterView is the engine's view of the routers of its cluster.
type ClusterView struct {
	// Routers lists every live router's id, this router's included,
	// sorted.
	Routers []string
	// Leader is true when this router applies scaling, kills and idle
	// removal (it holds the election and the cluster has min-routers).
	// Every router computes scaling decisions; only the leader's reach the
	// scheduler, so a new leader starts warm.
	Leader bool
}

// ServiceCounters is one router's counters for one service: what routers
// publish to each other every metrics-sync interval (reference 4.5).
type ServiceCounters struct {
	Service        string
	Outstanding    int
	Waiting        int
	SlotsInUse     int
	SlotsAvailable int
	SlotsReceived  int
	LastRequest    time.Time
}

// PeerCounters is one peer's latest report. The engine sums the fresh
// reports of its peers with its own counters for the autoscaler and
// forgets a report older than Config.PeerCountersTTL.
type PeerCounters struct {
	Router string
	// At is when this router received the report (the driver's clock).
	At       time.Time
	Services []ServiceCounters
}

// ErrInstanceInUse is a router's veto of a kill (ActEjectAnswer.Err is
// this very value): a request of its own still runs on the instance, or
// it lent a slot of it. Waiter answers the /eject call with 423 Locked.
var ErrInstanceInUse = &Error{Code: CodeUnavailable, Message: "instance is in use by this router"}

// InstanceSlots is how many of an instance's slots this router owns by
// the HRW distribution, and how many it borrowed from or lent to peers.
type InstanceSlots struct {
	Instance string
	Owned    int
	Received int
	Lent     int
	InUse    int
}

// AppendCounters appends this router's counters of every service, in
// service id order, to dst and returns it: what the driver publishes to
// its peers every metrics-sync interval. It allocates only when dst is
// too short, so a driver that reuses dst publishes without allocating.
func (e *Engine) AppendCounters(dst []ServiceCounters) []ServiceCounters {
	for _, svc := range e.order {
		dst = append(dst, e.countersOf(svc))
	}
	return dst
}

// Counters returns this router's counters of service (zero when unknown).
func (e *Engine) Counters(service string) ServiceCounters {
	if svc := e.services[service]; svc != nil {
		return e.countersOf(svc)
	}
	return ServiceCounters{Service: service}
}

// AppendSlots appends this router's slots of service's instances (those
// it owns, borrowed or lent), in routing order, to dst: for /state.
func (e *Engine) AppendSlots(service string, dst []InstanceSlots) []InstanceSlots {
	svc := e.services[service]
	if svc == nil {
		return dst
	}
	for _, in := range svc.sorted {
		owned := svc.owned(in)
		if owned == 0 && in.received == 0 && in.lent == 0 && in.inflight == 0 {
			continue
		}
		dst = append(dst, InstanceSlots{Instance: in.id, Owned: owned, Received: in.received,
			Lent: in.lent, InUse: in.inflight})
	}
	return dst
}

// Leader reports whether this router applies scheduler actions: true for
// a router alone, else what the last EvClusterChanged said.
func (e *Engine) Leader() bool { return e.cluster == nil || e.cluster.leader }
