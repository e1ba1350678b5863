package router

import (
	"log/slog"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// Config holds the driver's settings. Zero fields take the defaults below.
type Config struct {
	// Engine configures the engine the driver owns.
	Engine engine.Config
	// PollInterval is how often the scheduler is polled when nothing is
	// waiting (Waiter's scheduler-syncer-interval-secs is 5 s); zero
	// takes syncer.DefaultPollInterval, like FastPollInterval and
	// ForceKillAfter.
	PollInterval time.Duration
	// FastPollInterval is the poll period while requests wait for an
	// instance, so a cold start is served as soon as the scheduler
	// reports the instance healthy.
	FastPollInterval time.Duration
	// ForceKillAfter: kills of a service that have failed this long are
	// forced (Waiter's :force-kill-after-ms; engine/syncer applies it).
	ForceKillAfter time.Duration
	// Workers bounds concurrent scheduler calls.
	Workers int
	// CallTimeout bounds one scheduler call.
	CallTimeout time.Duration
	// LagProbeInterval is how often the event loop's lag is sampled for
	// /metrics.
	LagProbeInterval time.Duration
	// HistoryInterval is how often every service's counts are sampled for
	// the dashboard, and HistoryWindow how far back the samples go: the
	// driver keeps HistoryWindow/HistoryInterval samples per service.
	HistoryInterval time.Duration
	HistoryWindow   time.Duration
	// Describe, when set, returns the description of a service the
	// scheduler runs but the engine does not know (after a restart), so
	// the engine can adopt it.
	Describe func(id string) (*engine.Description, bool)
	// Forget, when set, is told of every service that stopped running:
	// deleted by the scheduler (idle, retired or deleted through the
	// API), with the description it ran with, and a new service the
	// engine refused (a per-user limit) after the HTTP edge had stored
	// its description. It runs on the op queue, off the driver's lock.
	Forget func(d *engine.Description)
	// Membership, when set, is the router's cluster: its changes reach the
	// engine (EvClusterChanged). Nil: a router alone, which always leads.
	Membership waiter.Membership
	// Peers, when set, are the other routers: asked to eject an instance
	// before a kill and told of every kill, asked for their counters and
	// whether they still know a service. Nil: a router alone.
	Peers Peers
	// Logger receives scheduler failures; nil discards them.
	Logger *slog.Logger
	// Panicked, when set, is told of every scheduler call that panicked
	// (guardedCall), so the panic is counted where the router counts the
	// others it contains.
	Panicked func()
}

// Defaults for Config.
const (
	DefaultWorkers          = 8
	DefaultCallTimeout      = 30 * time.Second
	DefaultLagProbeInterval = time.Second
	DefaultHistoryInterval  = 10 * time.Second
	DefaultHistoryWindow    = time.Hour
)

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = DefaultWorkers
	}
	if c.CallTimeout <= 0 {
		c.CallTimeout = DefaultCallTimeout
	}
	if c.LagProbeInterval <= 0 {
		c.LagProbeInterval = DefaultLagProbeInterval
	}
	if c.HistoryInterval <= 0 {
		c.HistoryInterval = DefaultHistoryInterval
	}
	if c.HistoryWindow <= 0 {
		c.HistoryWindow = DefaultHistoryWindow
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
