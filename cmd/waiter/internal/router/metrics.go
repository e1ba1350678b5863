package router

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/waiter-go/waiter/engine"
)

// metrics is what only the driver can measure: its scheduler calls, how
// long work waits for the loop goroutine, and how long requests take from
// admission to release. The Driver is a prometheus.Collector over them;
// the HTTP edge registers it on its private registry.
type metrics struct {
	schedCalls    *prometheus.CounterVec
	schedDuration *prometheus.HistogramVec
	loopLag       prometheus.Histogram
	queueLength   prometheus.GaugeFunc
	queueWait     prometheus.Histogram
	// startup is Waiter's launch-overhead startup-time: from an
	// instance's start to its first healthy report.
	startup prometheus.Histogram
	// duration is resolved per outcome up front: Release observes without
	// looking up a label.
	durationVec *prometheus.HistogramVec
	duration    [4]prometheus.Observer
}

// Scheduler call results (the result label).
const (
	resultSuccess = "success"
	resultError   = "error"
)

func newMetrics(queueLen func() int) *metrics {
	// Requests run from milliseconds to minutes: 5 ms to about 2 minutes.
	requestBuckets := prometheus.ExponentialBuckets(0.005, 2.5, 12)
	m := &metrics{
		schedCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "waiter_scheduler_calls_total",
			Help: "Scheduler calls by operation (create, scale, kill, delete, observe, observe-service) and result (success, error)."},
			[]string{"op", "result"}),
		schedDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "waiter_scheduler_call_duration_seconds",
			Help:    "Time scheduler calls took, by operation.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 8)}, []string{"op"}),
		loopLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "waiter_router_event_loop_lag_seconds",
			Help:    "How long work waited for the driver's event loop, sampled by a periodic probe.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 8)}),
		queueLength: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "waiter_router_event_queue_length",
			Help: "Work queued for the driver's event loop."}, func() float64 { return float64(queueLen()) }),
		queueWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "waiter_request_queue_seconds",
			Help:    "Time requests waited for the engine to grant an instance or refuse them.",
			Buckets: requestBuckets}),
		startup: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "waiter_instance_startup_seconds",
			Help:    "Time from an instance's start (or the router first seeing it) to its first healthy report.",
			Buckets: prometheus.ExponentialBuckets(0.1, 2, 12)}),
		durationVec: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "waiter_request_duration_seconds",
			Help:    "Time from admission to release of proxied requests (queue wait plus backend time), by outcome.",
			Buckets: requestBuckets}, []string{"outcome"}),
	}
	for o := range m.duration {
		m.duration[o] = m.durationVec.WithLabelValues(engine.Outcome(o).String())
	}
	for _, op := range []string{"create", "scale", "kill", "delete", "observe"} {
		// Series exist from the start, so rate() works from the first scrape.
		m.schedCalls.WithLabelValues(op, resultSuccess)
		m.schedCalls.WithLabelValues(op, resultError)
	}
	return m
}

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.schedCalls, m.schedDuration, m.loopLag, m.queueLength, m.queueWait, m.durationVec, m.startup}
}

// schedulerCall counts one scheduler call and its time.
func (m *metrics) schedulerCall(op string, took time.Duration, err error) {
	result := resultSuccess
	if err != nil {
		result = resultError
	}
	m.schedCalls.WithLabelValues(op, result).Inc()
	m.schedDuration.WithLabelValues(op).Observe(took.Seconds())
}

func (m *metrics) requestDone(o engine.Outcome, took time.Duration) {
	if int(o) < len(m.duration) {
		m.duration[o].Observe(took.Seconds())
	}
}

// Describe and Collect make the Driver a prometheus.Collector.
func (d *Driver) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range d.metrics.collectors() {
		c.Describe(ch)
	}
}

// Collect reports the driver's metrics; it does not touch the loop.
func (d *Driver) Collect(ch chan<- prometheus.Metric) {
	for _, c := range d.metrics.collectors() {
		c.Collect(ch)
	}
}

var _ prometheus.Collector = (*Driver)(nil)
