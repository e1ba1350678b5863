package marathon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"

	gomarathon "github.com/gambol99/go-marathon"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/healthcheck"
)

var _ engine.Scheduler = (*Scheduler)(nil)

// Scheduler runs services as Marathon apps. It is safe for concurrent use.
type Scheduler struct {
	cfg    Config
	log    *slog.Logger
	client gomarathon.Marathon
	tr     *transport
	probe  *healthcheck.Prober

	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup
	// failed holds each service's recent failures, newest last (<= 10).
	failed map[string][]engine.ObservedInstance
	// facts remembers what the router's own health checks learnt of a
	// live task, to flag it once it has failed.
	facts map[string]engine.InstanceFlags
	// drift tracks apps whose instance count differs from their tasks.
	drift map[string]driftState
}

// New returns a scheduler for the Marathon at cfg.URL. It makes no
// request: a Marathon that is down now only fails the calls made while
// it is.
func New(cfg Config) (*Scheduler, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	tr := &transport{base: cfg.Transport, retries: cfg.Retries, delay: cfg.RetryDelay, log: cfg.Logger}
	mc := gomarathon.NewDefaultConfig()
	mc.URL = cfg.URL
	mc.HTTPClient = &http.Client{Transport: tr, Timeout: cfg.HTTPTimeout}
	mc.HTTPBasicAuthUser, mc.HTTPBasicPassword, mc.DCOSToken = cfg.BasicAuthUser, cfg.BasicAuthPassword, cfg.DCOSToken
	mc.EventsTransport = gomarathon.EventsTransportSSE // never the callback server on :10001
	mc.LogOutput = io.Discard
	client, err := gomarathon.NewClient(mc)
	if err != nil {
		return nil, fmt.Errorf("marathon: config: URL %q: %w", cfg.URL, err)
	}
	return &Scheduler{cfg: cfg, log: cfg.Logger, client: client, tr: tr, probe: healthcheck.New(cfg.ProbeTimeout, "waiter-marathon-adapter"),
		failed: map[string][]engine.ObservedInstance{},
		facts:  map[string]engine.InstanceFlags{}, drift: map[string]driftState{}}, nil
}

// Close is Shutdown without a deadline.
func (s *Scheduler) Close() error { return s.Shutdown(context.Background()) }

// Shutdown refuses new calls and waits for those in flight (each ends
// within HTTPTimeout), or for ctx, then closes its connections to
// Marathon. Apps keep running on Marathon.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.tr.closed.Store(true)
	done := make(chan struct{})
	go func() {
		s.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.probe.Close()
		// The connections kept open to Marathon for the next calls:
		// there are none now.
		if idle, ok := s.tr.base.(interface{ CloseIdleConnections() }); ok {
			idle.CloseIdleConnections()
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("marathon: shutdown: calls still in flight: %w", ctx.Err())
	}
}

// call runs f, a go-marathon call, and returns its error or ctx's,
// whichever comes first. go-marathon takes no context: f goes on in the
// background until its request ends (within HTTPTimeout).
func (s *Scheduler) call(ctx context.Context, name string, f func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("marathon: %s: %w", name, err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("marathon: %s: %w", name, ErrClosed)
	}
	s.inflight.Add(1)
	s.mu.Unlock()
	result := make(chan error, 1)
	go func() {
		defer s.inflight.Done()
		defer func() {
			// go-marathon panics on some answers a Marathon (or a proxy
			// in front of it) should never give; the driver calls from
			// the router's own goroutine, so a panic would take the
			// router down. It is a bad answer: an error, with the stack
			// logged for whoever debugs that Marathon.
			if v := recover(); v != nil {
				s.log.Error("marathon: a call panicked on Marathon's answer", "call", name, "panic", v,
					"stack", string(debug.Stack()))
				result <- fmt.Errorf("%w: %s panicked: %v", gomarathon.ErrInvalidResponse, name, v)
			}
		}()
		result <- f()
	}()
	select {
	case err := <-result:
		return err
	case <-ctx.Done():
		return fmt.Errorf("marathon: %s: %w", name, ctx.Err())
	}
}
