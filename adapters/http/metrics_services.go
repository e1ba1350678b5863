package waiterhttp

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// serviceCollector exports per-service gauges at scrape time from the
// router's loads, which the driver reads from the engine: the values are
// the engine's own (outstanding requests, healthy instances, ...), not a
// count the edge keeps beside it, and a deleted service's series vanish
// with it.
type serviceCollector struct{ router waiter.Router }

// serviceSeries are the per-service series, labelled service_id.
var serviceSeries = []struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(waiter.ServiceLoad) float64
}{
	{serviceDesc("waiter_service_outstanding_requests", "Queued plus in-flight requests of a service (what the autoscaler scales on)."),
		prometheus.GaugeValue, func(l waiter.ServiceLoad) float64 { return float64(l.Waiting + l.InFlight) }},
	{serviceDesc("waiter_service_waiting_requests", "Requests of a service waiting for an instance."),
		prometheus.GaugeValue, func(l waiter.ServiceLoad) float64 { return float64(l.Waiting) }},
	{serviceDesc("waiter_service_in_flight_requests", "Requests of a service at one of its instances."),
		prometheus.GaugeValue, func(l waiter.ServiceLoad) float64 { return float64(l.InFlight) }},
	{serviceDesc("waiter_service_healthy_instances", "Healthy instances of a service."),
		prometheus.GaugeValue, func(l waiter.ServiceLoad) float64 { return float64(l.Healthy) }},
	{serviceDesc("waiter_service_requested_instances", "Instances the scheduler was asked for."),
		prometheus.GaugeValue, func(l waiter.ServiceLoad) float64 { return float64(l.Requested) }},
	{serviceDesc("waiter_service_scheduled_instances", "Instances the scheduler runs (tasks), healthy or not."),
		prometheus.GaugeValue, func(l waiter.ServiceLoad) float64 { return float64(l.Scheduled) }},
	{serviceDesc("waiter_service_free_slots", "Slots on serving instances that could take a request now."),
		prometheus.GaugeValue, func(l waiter.ServiceLoad) float64 { return float64(l.FreeSlots) }},
	{serviceDesc("waiter_service_requests_total", "Requests admitted for a service since the router started."),
		prometheus.CounterValue, func(l waiter.ServiceLoad) float64 { return float64(l.TotalRequests) }},
}

func serviceDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, []string{"service_id"}, nil)
}

func (c serviceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, s := range serviceSeries {
		ch <- s.desc
	}
}

func (c serviceCollector) Collect(ch chan<- prometheus.Metric) {
	for _, l := range serviceLoads(c.router) {
		for _, s := range serviceSeries {
			ch <- prometheus.MustNewConstMetric(s.desc, s.kind, s.value(l), l.ID)
		}
	}
}

// serviceLoads asks the router for its loads, through LoadLister when it
// offers the cheap path.
func serviceLoads(r waiter.Router) []waiter.ServiceLoad {
	if ll, ok := r.(waiter.LoadLister); ok {
		return ll.ServiceLoads()
	}
	snaps := r.Services()
	out := make([]waiter.ServiceLoad, len(snaps))
	for i, s := range snaps {
		out[i] = loadOf(s)
	}
	return out
}

// loadOf summarises a full snapshot, for routers that cannot list loads.
func loadOf(s waiter.ServiceSnapshot) waiter.ServiceLoad {
	return waiter.ServiceLoad{ID: s.ID, TotalRequests: s.TotalRequests, Load: engine.Load{
		Healthy: s.Healthy(), Waiting: s.Waiting, InFlight: s.InFlight,
		Requested: s.Requested, Scheduled: s.Scheduled, FreeSlots: s.FreeSlots,
	}}
}
