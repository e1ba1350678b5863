package waiter

import "context"

// RouterInfo names one router of a cluster: its id and the URL its peers
// reach it at.
type RouterInfo struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// Membership is the port to the cluster's coordinator (ZooKeeper in
// production): which routers are alive and whether this one leads. A
// router alone (the bbolt default) is a cluster of one that always leads.
type Membership interface {
	// Self is this router.
	Self() RouterInfo
	// Routers lists the live routers, this one included, sorted by id.
	Routers() []RouterInfo
	// Leader reports whether this router leads: it holds the election and
	// the cluster has at least min-routers routers.
	Leader() bool
	// LeaderID names the router holding the election ("" when none does).
	LeaderID() string
	// Changed receives a value whenever Routers or the leader change (a
	// channel of capacity 1; a missed signal is folded into the next).
	Changed() <-chan struct{}
	// Close leaves the cluster: the ephemeral registration goes at once.
	Close(ctx context.Context) error
}
