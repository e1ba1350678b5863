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
