package waiterhttp

import (
	"errors"
	"fmt"
	"github.com/waiter-go/waiter/internal/boundedmap"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/julienschmidt/httprouter"
	"github.com/waiter-go/waiter"
)

// Deps are the ports a Server needs; cmd/waiter wires real ones, tests
// wire fakes.
type Deps struct {
	Router waiter.Router
	Store  waiter.Store
	// Authn identifies callers; Entitled decides what they may do.
	Authn    Authenticator
	Entitled Entitlements
	// Clock is the only source of time (benbjohnson/clock: the real clock
	// in production, a mock in tests).
	Clock clock.Clock
}

// Server is the HTTP edge: an http.Handler serving Waiter's API and
// proxying everything else.
type Server struct {
	cfg        Config
	router     waiter.Router
	store      waiter.Store
	authn      Authenticator
	auth       Entitlements
	clock      clock.Clock
	log        *slog.Logger
	cls        classifier
	origins    originPolicy
	svcCORS    serviceCORS // the default CORS policy of proxied requests
	api        *httprouter.Router
	transports *transports
	fast       *fastClients // plain HTTP/1.1 exchanges (fastclient.go)
	// backendAddrs is the "host:port" of the instances requests go to.
	backendAddrs backendAddrs
	services     *serviceCache
	descs        descCache
	tparts       tokenPartsCache // tokens' data split, by name and ETag
	via11        string          // the Via entry of an HTTP/1.1 request (via)
	via11s       []string        // the header value of via11 alone, shared (len and cap 1)
	// backendAuths caches cfg.BackendAuth's header per service.
	backendAuths backendAuthCache
	errPages     *errPages    // rendered failure pages of services, reused briefly
	cookies      *authCookies // nil: no x-waiter-auth cookies
	metrics      *metrics
	draining     atomic.Bool
	asyncs       *asyncTracker // async (202) requests holding instances
	sockets      *hijacked     // open websockets, for the drain
	// tokenWatches counts the /tokens?watch=true streams running.
	tokenWatches atomic.Int32
	extMetrics   extMetrics // POST /metrics/external, per instance
	started      time.Time  // for the dashboard's routers table
}

// New builds a Server; every dependency is required.
func New(cfg Config, d Deps) (*Server, error) {
	if d.Router == nil || d.Store == nil || d.Authn == nil || d.Entitled == nil || d.Clock == nil {
		return nil, errors.New("waiterhttp: New needs a Router, a Store, an Authenticator, Entitlements and a Clock")
	}
	cfg = cfg.withDefaults()
	cls := newClassifier(cfg.Hostnames)
	origins, err := newOriginPolicy(cfg.CORSAllowedOrigins, cls)
	if err != nil {
		return nil, fmt.Errorf("waiterhttp: %w", err)
	}
	svcCORS, err := compileServiceCORS(cfg.ServiceCORS)
	if err != nil {
		return nil, fmt.Errorf("waiterhttp: %w", err)
	}
	s := &Server{
		cfg: cfg, router: d.Router, store: d.Store, authn: d.Authn, auth: d.Entitled, clock: d.Clock, log: cfg.Logger,
		cls: cls, origins: origins, svcCORS: svcCORS, transports: newTransports(cfg),
		fast:     newFastClients(cfg.ConnectTimeout, d.Clock, cfg.WarmConns),
		services: newServiceCache(d.Store, cfg.ServiceCacheSize), descs: descCache{max: cfg.DescriptionCacheSize},
		tparts:       tokenPartsCache{boundedmap.Map[string, tokenPartsEntry]{Max: cfg.DescriptionCacheSize}},
		via11:        viaValue(&http.Request{Proto: "HTTP/1.1"}, cfg.Version),
		backendAuths: backendAuthCache{boundedmap.Map[string, backendAuthEntry]{Max: cfg.ServiceCacheSize}},
		metrics:      newMetrics(), started: d.Clock.Now(), asyncs: newAsyncTracker(), sockets: newHijacked(),
		errPages: newErrPages(errPageWindow, errPageKinds),
	}
	s.via11s = []string{s.via11}
	s.metrics.reg.MustRegister(buildInfo(cfg.Version))
	if cfg.AuthCookieSecret != nil {
		c, err := newAuthCookies(cfg.AuthCookieSecret, cfg.AuthCookieScope, cfg.AuthCookieAge)
		if err != nil {
			return nil, err
		}
		s.cookies = c
	}
	s.api = s.routes()
	s.metrics.reg.MustRegister(s.cacheGauges()...)
	return s, nil
}

// ServeHTTP gives every request its correlation id, then sends it to the
// API or the proxy (reference 1.1).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r, ri := withInfo(r, s.clock.Now())
	if f, ok := w.(requestFielder); ok {
		ri.fields, ri.fieldsOf = f.RequestFields(), r.Header
	}
	ri.header = w.Header()
	w.Header()[canonCID] = ri.cidValues()
	api := s.cls.isAPI(r)
	ri.api, ri.apiKnown = api, true
	// Deferred first, so run last: it counts a panic of the handler or
	// of the access log's entry alike.
	defer s.passPanic()
	if s.cfg.AccessLog != nil {
		rec := &statusRecorder{ResponseWriter: w}
		w = rec
		defer func() {
			// An aborted response (http.ErrAbortHandler) is logged too,
			// then the panic goes on to net/http, which expects it.
			v := recover()
			s.logAccess(r, ri, rec, api, v != nil)
			if v != nil {
				panic(v)
			}
		}()
	}
	if api {
		w.Header().Set("Server", s.serverHeader())
		w, r, herr := s.guardAPI(w, r)
		if herr != nil {
			s.writeError(w, r, herr)
			return
		}
		s.serveAPI(w, r)
		return
	}
	r, finish := s.guardProxy(w, r)
	defer finish()
	if s.draining.Load() {
		s.proxyError(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "Router is draining"}, debugInfo{})
		return
	}
	s.proxy(w, r)
}

// passPanic is ServeHTTP's outermost deferred call: a panic is counted
// (countPanic) and goes on to the server, which ends the connection.
func (s *Server) passPanic() {
	if v := recover(); v != nil {
		s.countPanic(v)
		panic(v)
	}
}

// countPanic counts a panic of the router's own code that its server
// contains (waiter_router_panics_total); http.ErrAbortHandler is no bug
// but how the proxy aborts a response that broke.
func (s *Server) countPanic(v any) {
	if v != http.ErrAbortHandler {
		s.metrics.panics.Inc()
	}
}

// CountPanic counts a panic the router's event loops contained, each
// ending one client's connection (cmd/waiter/internal/loopfront), or one
// of internal/h1serve's own code outside any handler.
func (s *Server) CountPanic() { s.metrics.panics.Inc() }

// serveAPI answers CORS preflights, applies the browser-safety rules to
// requests that change state, and routes the rest.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if done, herr := s.origins.preflight(w, r); done {
		if herr != nil {
			s.writeError(w, r, herr)
		}
		return
	}
	if herr := s.guardBrowser(r); herr != nil {
		s.writeError(w, r, herr)
		return
	}
	if !publicPaths[r.URL.Path] {
		// Every other API call acts for someone (Waiter wraps them all in
		// wrap-secure-request-fn); a CORS preflight, answered above,
		// carries no credentials.
		if _, herr := s.caller(r); herr != nil {
			s.writeError(w, r, herr)
			return
		}
	}
	s.origins.bless(w, r)
	s.api.ServeHTTP(w, r)
}

// Drain makes the router refuse new proxied requests and report 503 on
// /status; requests already admitted run to completion. The server's
// owner then shuts the listener down.
func (s *Server) Drain() { s.draining.Store(true) }

// ForgetService drops what the server caches about a service whose
// records the router purged from the store.
func (s *Server) ForgetService(id string) { s.services.forget(id) }

// Close drops pooled backend connections.
func (s *Server) Close() {
	s.transports.close()
	s.fast.close()
}

func (s *Server) serverHeader() string {
	if s.cfg.Version != "" {
		return "waiter/" + s.cfg.Version
	}
	return "waiter"
}

// routes is Waiter's REST API (reference section 6).
func (s *Server) routes() *httprouter.Router {
	rt := httprouter.New()
	rt.RedirectTrailingSlash = false
	rt.RedirectFixedPath = false
	rt.HandleMethodNotAllowed = true

	rt.GET("/", s.handleWelcome)
	rt.GET("/apps", s.handleListApps)
	rt.GET("/apps/:id", s.handleGetApp)
	rt.DELETE("/apps/:id", s.handleDeleteApp)
	rt.GET("/apps/:id/override", s.handleGetOverride)
	rt.POST("/apps/:id/override", s.handlePostOverride)
	rt.DELETE("/apps/:id/override", s.handleDeleteOverride)
	rt.POST("/apps/:id/instance/:iid/kill", s.handleKillInstance)
	rt.POST("/apps/:id/instance/:iid/expire", s.handleExpireInstance)
	rt.GET("/apps/:id/logs", s.handleLogs)
	rt.GET("/apps/:id/logs/download", s.handleLogDownload)
	rt.POST("/eject", s.handleEject)
	rt.GET("/ejected/:id", s.handleEjected)
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut} {
		// Waiter does not check the method of suspend and resume.
		rt.Handle(m, "/apps/:id/suspend", s.handleSuspend(true))
		rt.Handle(m, "/apps/:id/resume", s.handleSuspend(false))
	}
	rt.GET("/service-id", s.handleServiceID)
	rt.GET("/app-name", s.handleServiceID)
	rt.GET("/token", s.handleGetToken)
	rt.POST("/token", s.handlePostToken)
	rt.DELETE("/token", s.handleDeleteToken)
	rt.GET("/token-history", s.handleTokenHistory)
	rt.GET("/tokens", s.handleListTokens)
	rt.GET("/tokens/owners", s.handleTokenOwners)
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodHead} {
		rt.Handle(m, "/waiter-ping", s.handlePing)
	}
	rt.GET("/waiter-auth", s.handleWaiterAuth)
	rt.GET("/profiles", s.handleProfiles)
	rt.GET("/status", s.handleStatus)
	rt.GET("/drain", s.handleDrain)
	rt.POST("/drain", s.handleDrain)
	rt.GET("/settings", s.handleSettings)
	rt.GET("/state", s.handleState)
	rt.GET("/state/:id", s.handleServiceState)
	rt.GET("/metrics", s.handleMetrics)
	rt.POST("/metrics/external", s.handleExternalMetrics)
	rt.GET("/dashboard", s.handleDashboard)
	rt.GET("/dashboard/data", s.handleDashboardData)
	rt.GET("/dashboard/assets/*file", s.handleDashboardAsset)
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		rt.Handle(m, "/waiter-async/status/:rid/:router/:sid/:host/:port/*location", s.handleAsyncStatus)
	}
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead} {
		rt.Handle(m, "/waiter-async/result/:rid/:router/:sid/:host/:port/*location", s.handleAsyncResult)
	}
	rt.GET("/waiter-async/complete/:rid/:sid", s.handleAsyncComplete)
	s.routeAsyncV2(rt)

	rt.NotFound = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, notFound("Not found"))
	})
	rt.MethodNotAllowed = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &Error{Status: http.StatusMethodNotAllowed, Message: "Method not allowed: " + r.Method})
	})
	rt.PanicHandler = func(w http.ResponseWriter, r *http.Request, v any) {
		s.countPanic(v)
		s.log.Error("API handler panicked", "cid", info(r).cid, "path", r.URL.Path, "panic", v)
		s.writeError(w, r, &Error{Status: http.StatusInternalServerError, Message: "Internal error"})
	}
	return rt
}
