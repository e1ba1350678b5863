package fakemarathon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/waiter-go/waiter/internal/fakemarathon/procs"
	"github.com/waiter-go/waiter/sim/marathon"
	"github.com/waiter-go/waiter/sim/rng"
)

// Defaults for zero Config fields.
const (
	// DefaultLaunchLatency is the staging-to-running delay of a task.
	DefaultLaunchLatency = 50 * time.Millisecond
	// DefaultAgentCPUs and DefaultAgentMemMB are each agent's resources:
	// plenty, so one machine does not refuse placements Waiter asks for.
	DefaultAgentCPUs  = 1000
	DefaultAgentMemMB = 1 << 20
	// frameworkID is the framework id /v2/info reports.
	frameworkID = "20170220-000000-0100007f-5050-0000"
)

// Config configures a Server. Zero fields take the defaults.
type Config struct {
	// Simulated runs tasks inside the model from Behavior instead of as
	// real processes.
	Simulated bool
	// Behavior gives the simulated program of an app (by id, without the
	// leading slash); nil, or with Simulated false, gives the zero
	// Behavior: it listens at once and passes its health checks.
	Behavior func(appID string) marathon.Behavior
	// Agents is the number of Mesos agents (1). Agent i has host
	// 127.0.0.<i+1>: every address of 127.0.0.0/8 reaches this machine.
	Agents int
	// AgentCPUs and AgentMemMB are each agent's resources.
	AgentCPUs, AgentMemMB float64
	// LaunchLatency is the staging-to-running delay.
	LaunchLatency time.Duration
	// FirstHealthCheck is the delay of a task's first health check
	// (Marathon: min(interval, 5 s)).
	FirstHealthCheck time.Duration
	// StartCheckInterval, when positive, re-checks a task that has not
	// passed a health check yet this often instead of every interval
	// (see marathon.Config.StartCheckInterval). Zero is Marathon's rule.
	StartCheckInterval time.Duration
	// BackoffSeconds and MaxLaunchDelay are the launch backoff (1 s, 1 h).
	BackoffSeconds float64
	MaxLaunchDelay time.Duration
	// Procs configures the real processes (work folder, port range).
	Procs procs.Config
	// Seed seeds the model's random draws (simulated start-up times).
	Seed uint64
	// Logger receives requests that failed and task events; nil discards.
	Logger *slog.Logger
}

// Server is the simulated Marathon served over HTTP. It is safe for
// concurrent use.
type Server struct {
	cfg   Config
	log   *slog.Logger
	start time.Time // wall time of model time 0
	rt    *procs.Runtime
	wake  chan struct{}
	stop  chan struct{}
	loop  sync.WaitGroup

	mu          sync.Mutex
	closed      bool
	model       *marathon.Model
	apps        map[string]*appMeta    // by app id without the leading slash
	deployments map[string]*deployMeta // running deployments by id
	canceled    map[string]bool        // deployments ended by force, for deployment_failed
	servicePort int                    // next service port to hand out
	lastVersion time.Time
	faults      faultState
	events      *broker
	seen        *seenState // the model as the last event diff saw it; nil without streams
	leader      string

	httpSrv *http.Server
	ln      net.Listener
}

// New builds a server. It serves nothing until Start, or until its
// Handler is mounted elsewhere; Close stops it either way.
func New(cfg Config) (*Server, error) {
	if cfg.Agents <= 0 {
		cfg.Agents = 1
	}
	if cfg.Agents > 250 {
		return nil, fmt.Errorf("fakemarathon: %d agents; at most 250 fit in 127.0.0.0/24", cfg.Agents)
	}
	if cfg.AgentCPUs <= 0 {
		cfg.AgentCPUs = DefaultAgentCPUs
	}
	if cfg.AgentMemMB <= 0 {
		cfg.AgentMemMB = DefaultAgentMemMB
	}
	if cfg.LaunchLatency <= 0 {
		cfg.LaunchLatency = DefaultLaunchLatency
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, start: time.Now(), wake: make(chan struct{}, 1), stop: make(chan struct{}),
		apps: map[string]*appMeta{}, deployments: map[string]*deployMeta{}, canceled: map[string]bool{},
		servicePort: servicePortMin, events: newBroker(), leader: "127.0.0.1:8080"}
	mc := marathon.Config{
		LaunchLatency:      rng.Dist{Kind: rng.Constant, Value: cfg.LaunchLatency.Seconds()},
		BackoffSeconds:     cfg.BackoffSeconds,
		MaxLaunchDelay:     cfg.MaxLaunchDelay,
		FirstHealthCheck:   cfg.FirstHealthCheck,
		StartCheckInterval: cfg.StartCheckInterval,
		NewTaskID:          func(appID string) string { return strings.ReplaceAll(appID, "/", "_") + "." + newUUID() },
	}
	for i := range cfg.Agents {
		mc.Agents = append(mc.Agents, marathon.Agent{ID: fmt.Sprintf("%s-S%d", strings.TrimSuffix(frameworkID, "-0000"), i),
			Host: fmt.Sprintf("127.0.0.%d", i+1), CPUs: cfg.AgentCPUs, MemMB: cfg.AgentMemMB})
	}
	if !cfg.Simulated {
		rt, err := procs.New(cfg.Procs, sink{s})
		if err != nil {
			return nil, fmt.Errorf("fakemarathon: %w", err)
		}
		s.rt, mc.Runtime = rt, rt
	}
	s.model = marathon.New(mc, rng.New(cfg.Seed))
	s.loop.Add(1)
	go s.clock()
	return s, nil
}

// Start listens on addr (host:port; port 0 picks one) and serves in the
// background. It returns the base URL, e.g. http://127.0.0.1:8080.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("fakemarathon: listen %s: %w", addr, err)
	}
	s.mu.Lock()
	s.ln, s.leader = ln, ln.Addr().String()
	s.httpSrv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	srv := s.httpSrv
	s.mu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("marathon-sim: serve", "err", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}

// URL is the base URL Start returned, "" before Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return "http://" + s.ln.Addr().String()
}

// Close stops serving (event streams included), stops the clock and
// stops every task's process, waiting until none is left; when ctx ends
// first the rest are killed at once and ctx's error is returned.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv := s.httpSrv
	s.mu.Unlock()
	s.events.close() // ends event streams, so Shutdown need not wait for them
	var errs []error
	if srv != nil {
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("fakemarathon: shutdown: %w", err))
			_ = srv.Close()
		}
	}
	close(s.stop)
	s.loop.Wait()
	if s.rt != nil {
		// Not under s.mu: the runtime's goroutines report through it.
		if err := s.rt.Close(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// now is the model's time: the wall-clock time since New.
func (s *Server) now() time.Duration { return time.Since(s.start) }

// wall converts model time to wall-clock time.
func (s *Server) wall(d time.Duration) time.Time { return s.start.Add(d) }

// poke wakes the clock loop after a change that may add earlier work.
func (s *Server) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// clock advances the model to wall-clock time whenever it has work due.
func (s *Server) clock() {
	defer s.loop.Done()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		case <-s.wake:
		}
		s.mu.Lock()
		s.model.Advance(s.now())
		s.publish()
		next, ok := s.model.NextEvent()
		s.mu.Unlock()
		wait := time.Minute // nothing due: a periodic wake costs nothing
		if ok {
			wait = max(next-s.now(), 0)
		}
		t.Stop()
		t.Reset(wait)
	}
}

// locked runs f with the model advanced to now, publishes the events its
// changes cause and wakes the clock loop.
func (s *Server) locked(f func(now time.Duration)) {
	s.mu.Lock()
	now := s.now()
	s.model.Advance(now)
	f(now)
	s.publish()
	s.mu.Unlock()
	s.poke()
}
