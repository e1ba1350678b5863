package waiterhttp

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/julienschmidt/httprouter"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// metrics is the HTTP edge's instrumentation, on a private registry (not
// prometheus' global one, so two Servers in one process, as in tests,
// never collide) served by promhttp at /metrics. Besides its own counters
// it exports the router's per-service gauges (serviceCollector) and, when
// the Router is itself a prometheus.Collector (the production driver:
// scheduler calls, event-loop lag, request latency), the router's metrics.
//
// Label values are resolved once per distinct value and cached, so
// counting a response on the request path neither formats nor hashes a
// label; the labels are the status code and the refusal reason, never the
// service id, so the edge's series stay bounded however many services come
// and go (per-service series come from the collector, which only reports
// services the router still runs).
type metrics struct {
	reg     *prometheus.Registry
	handler http.Handler

	inFlight   prometheus.Gauge
	outcomes   [4]prometheus.Counter // by engine.Outcome
	responses  counterCache          // by HTTP status code
	rejections counterCache          // by engine.Reason + 1; 0 is "other"
	// panics counts panics of the router's own code that were contained
	// (CountPanic).
	panics prometheus.Counter

	attachOnce sync.Once
	attachErr  error
}

// maxStatus bounds the status codes whose counters are cached.
const maxStatus = 600

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "waiter_requests_in_flight", Help: "Proxied requests currently at a backend."})
	outcomes := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "waiter_request_outcomes_total", Help: "Proxied requests released to the engine, by outcome."},
		[]string{"outcome"})
	for o := range m.outcomes {
		m.outcomes[o] = outcomes.WithLabelValues(engine.Outcome(o).String())
	}
	m.responses = newCounterCache(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "waiter_responses_total", Help: "Proxied requests answered, by HTTP status code."},
		[]string{"code"}), maxStatus, strconv.Itoa)
	m.rejections = newCounterCache(prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "waiter_rejections_total", Help: "Requests the engine refused, by reason."},
		[]string{"reason"}), 32, reasonLabel)
	// Every refusal reason the engine names is a series from the start,
	// so rate() and alerts work before the first refusal.
	m.rejections.get(0)
	for i := 2; i < len(m.rejections.slots) && !strings.HasPrefix(reasonLabel(i), "reason("); i++ {
		m.rejections.get(i) // 1 is engine.ReasonNone, never a refusal
	}
	m.panics = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "waiter_router_panics_total",
		Help: "Panics of the router's own code while serving a request, each contained: it ended that request's connection (or answered the API call 500), and the instance's slot came back. Any is a bug; the log has its stack."})
	m.reg.MustRegister(m.inFlight, outcomes, m.responses.vec, m.rejections.vec, m.panics,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return m
}

func reasonLabel(i int) string {
	if i <= 0 {
		return "other"
	}
	return engine.Reason(i - 1).String()
}

func (m *metrics) response(_ string, status int) { m.responses.get(status).Inc() }

func (m *metrics) rejected(_ string, err error) {
	m.rejections.get(reasonIndex(err)).Inc()
}

// reasonIndex is the refusal's key in the rejections cache. The router
// returns *engine.Error as is; the assertion before errors.As keeps that
// common case free of the allocation errors.As's target costs.
func reasonIndex(err error) int {
	if ee, ok := err.(*engine.Error); ok {
		return int(ee.Reason) + 1
	}
	var ee *engine.Error
	if errors.As(err, &ee) {
		return int(ee.Reason) + 1
	}
	return 0
}

func (m *metrics) started() { m.inFlight.Inc() }

func (m *metrics) finished(o engine.Outcome) {
	m.inFlight.Dec()
	if int(o) < len(m.outcomes) {
		m.outcomes[o].Inc()
	}
}

// attach registers the router's collectors. It runs on the first scrape
// because New builds the metrics before the Server holds its router
// (server.go); a router's metrics exist from its start either way, so
// nothing is lost by registering late.
func (m *metrics) attach(r waiter.Router) error {
	m.attachOnce.Do(func() {
		errs := []error{m.reg.Register(serviceCollector{router: r})}
		if c, ok := r.(prometheus.Collector); ok {
			errs = append(errs, m.reg.Register(c))
		}
		if err := errors.Join(errs...); err != nil {
			m.attachErr = fmt.Errorf("waiterhttp: registering the router's metrics: %w", err)
		}
	})
	return m.attachErr
}

// handleMetrics is GET /metrics, in the Prometheus text format (or
// whatever else the scraper negotiates with promhttp).
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, _ httprouter.Params) {
	if err := s.metrics.attach(s.router); err != nil {
		// The edge's own metrics are still worth serving.
		s.log.Error("metrics", "error", err)
	}
	s.metrics.handler.ServeHTTP(w, r)
}

// counterCache resolves the child of a one-label CounterVec per small
// integer key once; later lookups are an atomic load. Keys outside
// [0, size) are resolved every time (they do not happen in practice).
type counterCache struct {
	vec   *prometheus.CounterVec
	label func(int) string
	slots []atomic.Pointer[prometheus.Counter]
}

func newCounterCache(vec *prometheus.CounterVec, size int, label func(int) string) counterCache {
	return counterCache{vec: vec, label: label, slots: make([]atomic.Pointer[prometheus.Counter], size)}
}

func (c *counterCache) get(i int) prometheus.Counter {
	if i < 0 || i >= len(c.slots) {
		return c.vec.WithLabelValues(c.label(i))
	}
	if p := c.slots[i].Load(); p != nil {
		return *p
	}
	ctr := c.vec.WithLabelValues(c.label(i))
	c.slots[i].Store(&ctr) // a racing store saves the same child
	return ctr
}
