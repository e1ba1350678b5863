package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/user"
	"strconv"
	"sync"
	"time"

	"github.com/benbjohnson/clock"
	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/router"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/gcfloor"
	"github.com/waiter-go/waiter/internal/h1guard"
	"github.com/waiter-go/waiter/internal/logthrottle"
	"github.com/waiter-go/waiter/internal/warmconn"
)

// StoreFile is the name of the store inside the data folder.
const StoreFile = "waiter.db"

// Options are what Run needs besides the configuration.
type Options struct {
	Config config.Config
	// Clock is the only source of time: clock.New() in production.
	Clock clock.Clock
	// Scheduler, when set, replaces the one the configuration names
	// (tests pass a fake).
	Scheduler engine.Scheduler
	// Listener, when set, is served instead of listening on host:port.
	Listener net.Listener
	// Ready, when set, is called with the listening address once the
	// router accepts requests.
	Ready func(addr string)
	// Logger receives the router's log; nil logs to stderr in the
	// configuration's log-format from its log-level up.
	Logger *slog.Logger
	// AccessLog, when set, receives the access log instead of what the
	// configuration's access-log names (an embedder's own, or a test's).
	AccessLog *slog.Logger
	// WarmConns, when set, replaces the pool through which the shell
	// scheduler's probes give the proxy their connections to instances
	// they found ready (tests put connections in it, as a scheduler does).
	WarmConns *warmconn.Pool
	// GCFloor keeps the heap goal at least 32 MB above the live heap
	// while Run runs (internal/gcfloor): the process's, so the command sets
	// it, not tests running routers side by side.
	GCFloor bool
}

// Run serves until ctx ends (SIGTERM), then drains and shuts down in
// order. It returns nil after a clean shutdown.
func Run(ctx context.Context, opts Options) error {
	cfg := opts.Config
	if opts.Clock == nil {
		return errors.New("serve: a clock is required")
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log := opts.Logger
	if log == nil {
		log = logFlags(cfg).Logger(os.Stderr)
	}
	access := opts.AccessLog
	if access == nil {
		opened, closeAccess, err := openAccessLog(cfg)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer closeAccess()
		access = opened
	}
	if cfg.LogRepeatWindow > 0 {
		// Overload must not turn into thousands of identical lines a
		// second; the drops are counted and reported.
		throttle := logthrottle.New(log.Handler(), logthrottle.Options{Window: cfg.LogRepeatWindow})
		log = slog.New(throttle)
		defer throttle.Flush(context.Background())
	}
	fillIdentity(&cfg)
	if opts.GCFloor {
		defer gcfloor.Start()()
	}

	// Others may pass through (x) but not list it: the shell scheduler's
	// folder is inside, and instances run as other users (run-as-user,
	// with a root router) must reach their own folders there. The store
	// and the passwords are 0600.
	if err := os.MkdirAll(cfg.DataDir, 0o751); err != nil {
		return fmt.Errorf("serve: data folder: %w", err)
	}
	// The bbolt file, or ZooKeeper for a cluster (cluster.go).
	st, err := openStorage(ctx, cfg, log.With("component", "store"))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer st.close()
	store := st.store
	kept := newRetention(st.records, cfg.InactiveServicesPerUser, log.With("component", "store"))
	if err := kept.load(); err != nil {
		return err
	}
	pw, err := loadPasswords(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if pw, err = pw.forCluster(cfg); err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	// Listen before starting the scheduler: a taken port fails fast,
	// before anything runs that would need stopping.
	ln := opts.Listener
	if ln == nil {
		if ln, err = listenTCP(net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
	} else if err := checkListener(cfg, ln); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	tlsLn, tlsCfg, err := listenTLS(cfg)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("serve: %w", err)
	}
	closeListeners := func() {
		_ = ln.Close()
		if tlsLn != nil {
			_ = tlsLn.Close()
		}
	}
	dbg, err := startDebug(cfg.DebugListen, log)
	if err != nil {
		closeListeners()
		return fmt.Errorf("serve: %w", err)
	}
	defer dbg.stop()
	if err := st.join(cfg, ln.Addr(), log.With("component", "cluster")); err != nil {
		closeListeners()
		return fmt.Errorf("serve: %w", err)
	}
	// The peer network of a router in a cluster (peers.go); nil alone.
	pn, err := joinPeers(cfg, st.Members, opts.Clock, log.With("component", "peers"))
	if err != nil {
		closeListeners()
		return fmt.Errorf("serve: %w", err)
	}
	auth, err := newAuthentication(cfg, opts.Clock.Now, log)
	if err != nil {
		closeListeners()
		return fmt.Errorf("serve: %w", err)
	}
	defer auth.close(log)
	warning := anyoneWarning(cfg, ln.Addr())
	if warning != "" {
		log.Warn("waiter serve: " + warning)
	}
	// Connections the shell scheduler's probes leave open to instances
	// they found ready, for the first request to each (internal/warmconn).
	warm := opts.WarmConns
	if warm == nil {
		warm = warmconn.New(warmconn.MaxAge)
		defer warm.Close()
	}
	sched := opts.Scheduler
	if sched == nil {
		if sched, err = newScheduler(cfg, pw, warm, log); err != nil {
			closeListeners()
			return fmt.Errorf("serve: %w", err)
		}
	}
	descOpts := engine.DescriptionOptions{ServicePrefix: cfg.ServicePrefix,
		Defaults: engine.NormalizeParams(cfg.ServiceDefaults), Profiles: profiles(cfg.Profiles)}
	rc := router.Config{
		Engine:           engineConfig(cfg),
		PollInterval:     cfg.PollInterval,
		FastPollInterval: cfg.FastPollInterval,
		Workers:          cfg.SchedulerWorkers,
		Describe:         describer(store, descOpts),
		Forget:           kept.forget,
		Logger:           log.With("component", "driver"),
	}
	// The driver exists before the edge that counts the router's
	// contained panics; it calls no scheduler before Run, below.
	var edge *waiterhttp.Server
	rc.Panicked = func() { edge.CountPanic() }
	pn.engine(cfg, &rc.Engine)
	pn.driver(&rc)
	drv := router.New(rc, sched, opts.Clock)
	kept.running = drv.Knows
	edge, err = waiterhttp.New(waiterhttp.Config{
		RouterID: cfg.RouterID, Hostnames: cfg.Hostnames, Description: descOpts,
		QueueTimeout: cfg.QueueTimeout, SocketTimeout: cfg.SocketTimeout,
		StreamingTimeout: cfg.StreamingTimeout, ConnectTimeout: cfg.ConnectTimeout,
		Settings: settingsView(cfg, warning), Logger: log.With("component", "http"), AccessLog: access, BackendAuth: pw.backendAuth,
		CORSAllowedOrigins: cfg.CORSAllowedOrigins,
		ServiceCORS: waiterhttp.ServiceCORS{AllowedOrigins: cfg.ServiceCORS.AllowedOrigins,
			AllowedMethods: cfg.ServiceCORS.AllowedMethods, AllowedHeaders: cfg.ServiceCORS.AllowedHeaders,
			AllowCredentials: cfg.ServiceCORS.AllowCredentials, MaxAge: cfg.ServiceCORS.MaxAge},
		AuthCookieSecret: pw.cookieSecret(cfg.AuthSecret), AuthCookieScope: auth.scope,
		MaxTokensPerOwner: tokensPerOwner(cfg.MaxTokensPerOwner),
		MaxAPIBodyBytes:   cfg.MaxAPIBodyBytes, APIBodyTimeout: cfg.APIBodyTimeout, APIWriteTimeout: cfg.APIWriteTimeout,
		DescriptionCacheSize: cfg.DescriptionCacheSize, ServiceCacheSize: cfg.ServiceCacheSize,
		InstanceFiles: instanceFiles(cfg), WarmConns: warm,
	}, waiterhttp.Deps{Router: drv, Store: retainingStore{edgeStore: store, kept: kept}, Authn: auth.authn, Entitled: waiterhttp.NewSimple(cfg.Admins...), Clock: opts.Clock})
	if err != nil {
		closeListeners()
		stopScheduler(log, cfg, sched)
		return fmt.Errorf("serve: %w", err)
	}
	defer edge.Close()
	kept.purged = edge.ForgetService
	st.onServiceChange(edge.ServiceChanged)

	drvCtx, stopDriver := context.WithCancel(context.Background())
	drvDone := make(chan struct{})
	go func() {
		defer close(drvDone)
		_ = drv.Run(drvCtx)
	}()
	stale := &staleWatch{store: store, services: drv.Services, mark: drv.MarkStale, log: log.With("component", "gc")}
	staleDone := make(chan struct{})
	go func() {
		defer close(staleDone)
		stale.run(drvCtx, opts.Clock, cfg.StaleCheckInterval)
	}()
	defer func() { stopDriver(); <-staleDone }()
	defer pn.start(drvCtx, drv)()
	fresh := &freshConns{m: map[net.Conn]struct{}{}}
	handler := pn.handler(edge)
	hs := newHTTPServer(cfg, handler, log, fresh)
	serveErr := make(chan error, 2)
	// Request heads that could be framed two ways (request smuggling)
	// are refused before net/http reads them (internal/h1guard). The TLS
	// listener is not wrapped: net/http needs its *tls.Conn for HTTP/2.
	var fr *front
	stdLn := ln
	if cfg.FastHTTP1 {
		// The fast front's connections carry no names as sent: its
		// handler is not h1guard.Handler's wrapper (route sends a head
		// that needs them to net/http).
		fr = newFront(ln, cfg, edge, handler, pn.intercepts, log)
		if onFront != nil {
			onFront(fr)
		}
		stdLn = fr
		go fr.run()
	}
	// TLSConfig is set before either listener serves: Serve reads it too
	// (whether to offer HTTP/2), and set after Serve began it was a data
	// race (go test -race on test/acceptance with a -race build found it).
	hs.TLSConfig = tlsCfg
	go func() { serveErr <- hs.Serve(h1guard.Listen(stdLn)) }()
	if tlsLn != nil {
		go func() { serveErr <- hs.ServeTLS(tlsLn, "", "") }()
		log.Info("waiter serve: listening for TLS", "addr", tlsLn.Addr().String(), "alpn", "h2,http/1.1")
	}
	log.Info("waiter serve: listening", "addr", ln.Addr().String(), "router-id", cfg.RouterID,
		"scheduler", cfg.Scheduler, "store", st.where, "user", cfg.RunAsUser, "authenticator", cfg.Authenticator)
	if opts.Ready != nil {
		opts.Ready(ln.Addr().String())
	}

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		runErr = fmt.Errorf("serve: %w", err)
	}
	shutdown(log, cfg, edge, hs, fr, fresh, stopDriver, drvDone, sched)
	return runErr
}

// freshConns remembers connections that have not sent a request yet.
// http.Server.Shutdown waits up to 5 s for such a connection to become
// idle, and clients keep them in their pools as a matter of course, so a
// drain would stall on them for no request at all.
type freshConns struct {
	mu sync.Mutex
	m  map[net.Conn]struct{}
}

func (f *freshConns) track(c net.Conn, state http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if state == http.StateNew {
		f.m[c] = struct{}{}
	} else {
		delete(f.m, c)
	}
}

// closeAll closes every connection still waiting for its first request.
func (f *freshConns) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.m {
		_ = c.Close()
		delete(f.m, c)
	}
}

// shutdown drains and stops everything, in order: no new requests,
// in-flight requests finish (bounded by drain-timeout, then their
// connections are closed), the driver stops, the scheduler stops every
// instance. The store is closed by Run's deferred Close.
func shutdown(log *slog.Logger, cfg config.Config, edge *waiterhttp.Server, hs *http.Server, fr *front, fresh *freshConns,
	stopDriver context.CancelFunc, drvDone <-chan struct{}, sched engine.Scheduler) {
	log.Info("waiter serve: draining", "timeout", cfg.DrainTimeout.String())
	edge.Drain()
	fresh.closeAll() // the router refuses new requests now anyway
	drainCtx, cancel := context.WithTimeout(context.Background(), cfg.DrainTimeout)
	if err := hs.Shutdown(drainCtx); err != nil {
		log.Warn("waiter serve: requests still running after the drain timeout; closing their connections", "error", err)
		_ = hs.Close()
	}
	if fr != nil {
		fr.shutdown(drainCtx, log)
	}
	// Shutdown does not wait for websockets (net/http forgets hijacked
	// connections); they get what is left of the drain timeout, then are
	// closed, and their instances released before the driver stops.
	grace, cancelGrace := context.WithTimeout(context.Background(), 5*time.Second)
	if n := edge.DrainWebsockets(drainCtx, grace); n > 0 {
		log.Warn("waiter serve: websockets still open after the drain timeout; closed them", "websockets", n)
	}
	cancelGrace()
	cancel()
	edge.StopAsync()
	stopDriver()
	<-drvDone
	stopScheduler(log, cfg, sched)
	log.Info("waiter serve: stopped")
}

// stopScheduler stops every instance the scheduler runs, if it owns any.
func stopScheduler(log *slog.Logger, cfg config.Config, sched engine.Scheduler) {
	s, ok := sched.(Shutdowner)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.DrainTimeout)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		log.Warn("waiter serve: stopping the scheduler's instances failed", "error", err)
	}
}

// fillIdentity defaults the router id, its hostnames and its user.
func fillIdentity(cfg *config.Config) {
	host, _ := os.Hostname()
	if cfg.RouterID == "" {
		cfg.RouterID = host + "-" + strconv.Itoa(cfg.Port)
	}
	if host != "" {
		cfg.Hostnames = append(cfg.Hostnames, host)
	}
	osUser := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		osUser = u.Username
	}
	if cfg.RunAsUser == "" {
		cfg.RunAsUser = osUser
	}
	// Waiter's simple entitlement manager: the router's own user is its
	// admin, so the one-user quick start may do everything.
	if len(cfg.Admins) == 0 && osUser != "" {
		cfg.Admins = []string{osUser}
	}
}

// engineConfig is the engine's configuration for this router.
func engineConfig(cfg config.Config) engine.Config {
	ec := engine.Config{Seed: cfg.Seed, ScalingInterval: cfg.ScalingInterval, DefaultQueueTimeout: cfg.QueueTimeout,
		DefaultPolicy: cfg.ScalingPolicy, MaxServicesPerUser: cfg.MaxServicesPerUser,
		MaxInstancesPerUser: cfg.MaxInstancesPerUser}
	switch {
	case cfg.DeploymentErrorMinHosts > 0:
		ec.DeploymentErrorMinHosts = cfg.DeploymentErrorMinHosts
	case cfg.Scheduler == "shell":
		// Every local instance runs on this one host: Waiter's two-host
		// rule for deployment errors could never be met.
		ec.DeploymentErrorMinHosts = 1
	}
	return ec
}

func profiles(in map[string]map[string]any) map[string]engine.Params {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]engine.Params, len(in))
	for name, p := range in {
		out[name] = engine.NormalizeParams(p)
	}
	return out
}

// tokensPerOwner maps the configuration's "0 means no limit" to the HTTP
// edge's, where 0 takes the default and a negative number means none.
func tokensPerOwner(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
