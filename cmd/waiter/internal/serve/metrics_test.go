package serve

import (
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// /metrics is Prometheus' text format, parsed here with Prometheus' own
// parser: the edge's counters, the per-service gauges the engine's loads
// give, and the driver's scheduler, loop and latency metrics.
func TestMetricsExposition(t *testing.T) {
	r := startRouter(t, nil)
	served := service("metrics")
	status, body := read(t, r.call(t, "GET", "/", nil, served...))
	wantBody(t, status, body, 200)
	id := r.serviceID(t, served)

	refused := service("metrics-refused")
	r.sched.StartUnhealthy(r.serviceID(t, refused), true)
	status, body = read(t, r.call(t, "GET", "/", nil, append(refused, "x-waiter-queue-timeout", "50")...))
	wantBody(t, status, body, 503)

	resp := r.call(t, "GET", "/metrics", nil)
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, ct)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	svc := map[string]string{"service_id": id}
	refusedSvc := map[string]string{"service_id": r.serviceID(t, refused)}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"waiter_service_healthy_instances", svc, 1},
		{"waiter_service_requested_instances", svc, 1},
		{"waiter_service_scheduled_instances", svc, 1},
		{"waiter_service_outstanding_requests", svc, 0},
		{"waiter_service_waiting_requests", svc, 0},
		{"waiter_service_free_slots", svc, 1},
		{"waiter_service_requests_total", svc, 1},
		{"waiter_service_healthy_instances", map[string]string{"service_id": id, "service_name": "metrics"}, 1},
		{"waiter_service_desired_instances", svc, 1},
		{"waiter_service_deployment_error", svc, 0},
		{"waiter_service_cold_starts_total", svc, 1}, // its first request waited for the create
		{"waiter_service_cold_starts_total", refusedSvc, 1},
		{"waiter_service_instances_launched_total", svc, 1},
		{"waiter_service_instances_killed_total", svc, 0},
		{"waiter_service_instances_failed_total", svc, 0},
		{"waiter_instance_startup_seconds", nil, 1}, // the refused service's instance never got healthy
		{"waiter_build_info", nil, 1},
		{"waiter_responses_total", map[string]string{"code": "200"}, 1},
		{"waiter_responses_total", map[string]string{"code": "503"}, 1},
		{"waiter_rejections_total", map[string]string{"reason": "queue-timeout"}, 1},
		{"waiter_request_outcomes_total", map[string]string{"outcome": "success"}, 1},
		{"waiter_request_outcomes_total", map[string]string{"outcome": "instance-error"}, 0},
		{"waiter_requests_in_flight", nil, 0},
		{"waiter_router_panics_total", nil, 0},
		{"waiter_scheduler_calls_total", map[string]string{"op": "create", "result": "success"}, 2},
		{"waiter_scheduler_calls_total", map[string]string{"op": "create", "result": "error"}, 0},
		{"waiter_request_duration_seconds", map[string]string{"outcome": "success"}, 1}, // sample count
		{"waiter_request_queue_seconds", nil, 2},                                        // granted and refused
	} {
		if got := value(t, families, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	states := 0.0
	for _, st := range []string{"scale-up", "scale-down", "stable"} {
		states += value(t, families, "waiter_service_scaling_state", map[string]string{"service_id": id, "state": st})
	}
	if states != 1 {
		t.Errorf("waiter_service_scaling_state of %s sums to %v over the states, want exactly one state set", id, states)
	}
	for _, name := range []string{"waiter_scheduler_call_duration_seconds", "waiter_router_event_loop_lag_seconds",
		"waiter_router_event_queue_length", "go_goroutines"} {
		if families[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
}

// value is a sample's value: a counter's or gauge's value, a histogram's
// sample count.
func value(t *testing.T, families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	f := families[name]
	if f == nil {
		t.Fatalf("/metrics lacks %s", name)
	}
metrics:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, lp := range m.GetLabel() {
			have[lp.GetName()] = lp.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue metrics
			}
		}
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			return m.GetCounter().GetValue()
		case dto.MetricType_GAUGE:
			return m.GetGauge().GetValue()
		case dto.MetricType_HISTOGRAM:
			return float64(m.GetHistogram().GetSampleCount())
		}
		t.Fatalf("%s has type %v", name, f.GetType())
	}
	t.Fatalf("/metrics has no %s%v", name, labels)
	return 0
}
