package peers

import (
	"context"
	"errors"
	"time"

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
	// Eject stops routing to instance of service for period (reason
	// "prepare-to-kill" before a kill, "killed" after). It returns an
	// error wrapping ErrInUse while this router has requests on it; an
	// instance it does not know is nothing to do.
	Eject(service, instance string, period time.Duration, reason string) error
	// KillOne kills one killable instance of service this router holds
	// (a leader's delegated kill) and names it; ErrNothingToKill when it
	// has none.
	KillOne(ctx context.Context, service string) (string, error)
	// ServiceCounters are this router's counters of one service; false
	// when it does not know the service.
	ServiceCounters(service string) (engine.ServiceCounters, bool)
	// Knows reports whether this router still knows service.
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
