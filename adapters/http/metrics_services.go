package waiterhttp

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// serviceCollector exports per-service series at scrape time from the
// router's loads, which the driver reads from the engine: the values are
// the engine's own (outstanding requests, healthy instances, the scaling
// policy's desired count, ...), not a count the edge keeps beside it, and
// a deleted service's series vanish with it. Every series is labelled by
// service id and by the service's name parameter, which is what people
// search for on a dashboard (Waiter's metric-group plays that part in
// its statsd output).
type serviceCollector struct{ router waiter.Router }

// serviceLabels are the labels of every per-service series.
var serviceLabels = []string{"service_id", "service_name"}

// serviceSeries are the per-service series with one value each (an
// array: serviceSamples holds one of each).
var serviceSeries = [...]struct {
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
	{serviceDesc("waiter_service_desired_instances", "Instances the scaling policy last asked for (requested until its first decision); above requested while a scale-up is held back."),
		prometheus.GaugeValue, func(l waiter.ServiceLoad) float64 { return float64(l.Desired) }},
	{serviceDesc("waiter_service_scheduled_instances", "Instances the scheduler runs (tasks), healthy or not."),
		prometheus.GaugeValue, func(l waiter.ServiceLoad) float64 { return float64(l.Scheduled) }},
	{serviceDesc("waiter_service_free_slots", "Slots on serving instances that could take a request now."),
		prometheus.GaugeValue, func(l waiter.ServiceLoad) float64 { return float64(l.FreeSlots) }},
	{serviceDesc("waiter_service_deployment_error", "1 while a service has a deployment error (its status is Failing), else 0."),
		prometheus.GaugeValue, func(l waiter.ServiceLoad) float64 { return boolValue(l.DeploymentError != "") }},
	{serviceDesc("waiter_service_requests_total", "Requests admitted for a service since the router started."),
		prometheus.CounterValue, func(l waiter.ServiceLoad) float64 { return float64(l.TotalRequests) }},
	{serviceDesc("waiter_service_cold_starts_total", "Requests that had to wait while the service had no healthy instance."),
		prometheus.CounterValue, func(l waiter.ServiceLoad) float64 { return float64(l.Counters.ColdStarts) }},
	{serviceDesc("waiter_service_instances_launched_total", "Instances of a service the scheduler started (new instance ids)."),
		prometheus.CounterValue, func(l waiter.ServiceLoad) float64 { return float64(l.Counters.Launched) }},
	{serviceDesc("waiter_service_instances_killed_total", "Instances of a service the router killed (scale-down and operator kills)."),
		prometheus.CounterValue, func(l waiter.ServiceLoad) float64 { return float64(l.Counters.Killed) }},
	{serviceDesc("waiter_service_instances_failed_total", "Instances of a service the scheduler reported failed."),
		prometheus.CounterValue, func(l waiter.ServiceLoad) float64 { return float64(l.Counters.Failed) }},
}

// scalingStateDesc is one series per scaling state, 1 for the service's
// current one (Waiter's scaling-state on /apps), so
// `waiter_service_scaling_state{state="scale-up"} == 1` selects the
// services scaling up.
var scalingStateDesc = prometheus.NewDesc("waiter_service_scaling_state",
	"1 for the direction of the scaling policy's last decision (scale-up, scale-down, stable), 0 for the others.",
	append([]string{"state"}, serviceLabels...), nil)

var scalingStates = [...]engine.ScalingState{engine.ScalingUp, engine.ScalingDown, engine.ScalingStable}

func serviceDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, serviceLabels, nil)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (c serviceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, s := range serviceSeries {
		ch <- s.desc
	}
	ch <- scalingStateDesc
}

func (c serviceCollector) Collect(ch chan<- prometheus.Metric) {
	for _, l := range serviceLoads(c.router) {
		samples := newServiceSamples(l)
		for i := range samples.s {
			ch <- &samples.s[i]
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
	return waiter.ServiceLoad{ID: s.ID, Name: nameOf(s.Description), TotalRequests: s.TotalRequests, Counters: s.Counters,
		Load: engine.Load{
			Healthy: s.Healthy(), Waiting: s.Waiting, InFlight: s.InFlight,
			Requested: s.Requested, Scheduled: s.Scheduled, FreeSlots: s.FreeSlots,
			Desired: s.Desired(), ScalingState: scalingStateOf(s.ScalingState), DeploymentError: s.DeploymentError,
		}}
}

// nameOf is a description's name parameter, "" when it has none.
func nameOf(d *engine.Description) string {
	if d == nil {
		return ""
	}
	return d.Name
}

// scalingStateOf parses a snapshot's scaling state label.
func scalingStateOf(label string) engine.ScalingState {
	for _, st := range []engine.ScalingState{engine.ScalingUp, engine.ScalingDown} {
		if st.String() == label {
			return st
		}
	}
	return engine.ScalingStable
}
