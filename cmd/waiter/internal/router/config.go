package router

import (
	"log/slog"
	"time"

	"github.com/waiter-go/waiter/engine"
)

// Config holds the driver's settings. Zero fields take the defaults below.
type Config struct {
	// Engine configures the engine the driver owns.
	Engine engine.Config
	// PollInterval is how often the scheduler is polled when nothing is
	// waiting (Waiter's scheduler-syncer-interval-secs is 5 s).
	PollInterval time.Duration
	// FastPollInterval is the poll period while requests wait for an
	// instance, so a cold start is served as soon as the scheduler
	// reports the instance healthy.
	FastPollInterval time.Duration
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
	// Logger receives scheduler failures; nil discards them.
	Logger *slog.Logger
}

// Defaults for Config.
const (
	DefaultPollInterval     = 2 * time.Second
	DefaultFastPollInterval = 200 * time.Millisecond
	DefaultWorkers          = 8
	DefaultCallTimeout      = 30 * time.Second
	DefaultLagProbeInterval = time.Second
	DefaultHistoryInterval  = 10 * time.Second
	DefaultHistoryWindow    = time.Hour
	// maxRemembered bounds the killed instances kept per service for /apps.
	maxRemembered = 10
)

func (c Config) withDefaults() Config {
	if c.PollInterval <= 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.FastPollInterval <= 0 {
		c.FastPollInterval = DefaultFastPollInterval
	}
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
