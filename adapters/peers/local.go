package peers

import (
	"context"
	"errors"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Local is this router as the peer network sees it: what it publishes and
// what it answers peers with. The production driver implements it; its
// methods are called from many goroutines.
type Local interface {
	// Counters are this router's counters of every service it knows.
	Counters() []engine.ServiceCounters
	// PeerCounters takes a peer's latest counters (the driver stamps the
	// time it got them).
	PeerCounters(p engine.PeerCounters)
	// Eject is peer from's request to stop routing to instance of service
	// (reason "prepare-to-kill" before a kill, "killed" after). It returns
	// an error wrapping ErrInUse while this router has requests on it.
	Eject(from, service, instance, reason string) error
	// KillCandidate is the leader's delegated kill (from): this router
	// names one instance of service the leader may kill, which stops
	// taking requests here; ErrNothingToKill when it has none.
	KillCandidate(ctx context.Context, from, service string) (string, error)
	// SlotOffered: peer from lends one slot of instance of service (work
	// stealing). This router answers later with Network.ReleaseSlot.
	SlotOffered(from, service, instance string)
	// SlotReleased: peer from gives back the slot of instance it was lent,
	// with how the request it served ended.
	SlotReleased(from, service, instance string, outcome engine.Outcome)
	// ServiceCounters are this router's counters of one service; false
	// when it does not know the service.
	ServiceCounters(service string) (engine.ServiceCounters, bool)
	// Knows reports whether this router still sees service running on the
	// scheduler (DELETE ?timeout= waits until no router does).
	Knows(service string) bool
}

var (
	// ErrInUse: a router still has requests on the instance (423).
	ErrInUse = waiter.ErrInstanceInUse
	// ErrNothingToKill: no router had a killable instance of the service.
	ErrNothingToKill = waiter.ErrNothingToKill
	// ErrUnreachable wraps a peer that did not answer: for an eject it
	// counts as a veto, because that peer may be using the instance.
	ErrUnreachable = errors.New("peer router unreachable")
)
