package router

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

// The driver's own metrics, gathered through a pedantic registry (which
// also checks that Describe and Collect agree).
func TestDriverMetrics(t *testing.T) {
	h := newHarnessWith(t, nil, func(c *Config) { c.LagProbeInterval = 5 * time.Millisecond })
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(h.d)

	d := desc(t, nil)
	g, err := h.d.Admit(context.Background(), waiter.Admission{Description: d})
	if err != nil {
		t.Fatal(err)
	}
	h.d.Release(g, engine.OutcomeSuccess)
	h.d.do(func() {}) // the release has been handled

	h.advanceUntil(t, "a loop-lag sample", 5*time.Millisecond, func() bool {
		return sampleCount(t, reg, "waiter_router_event_loop_lag_seconds", nil) > 0
	})
	if n := counterValue(t, reg, "waiter_scheduler_calls_total", map[string]string{"op": "create", "result": "success"}); n != 1 {
		t.Errorf("create calls %v, want 1", n)
	}
	if n := counterValue(t, reg, "waiter_scheduler_calls_total", map[string]string{"op": "kill", "result": "error"}); n != 0 {
		t.Errorf("failed kills %v, want a zero series", n)
	}
	if n := sampleCount(t, reg, "waiter_scheduler_call_duration_seconds", map[string]string{"op": "create"}); n != 1 {
		t.Errorf("create durations %d, want 1", n)
	}
	if n := sampleCount(t, reg, "waiter_request_duration_seconds", map[string]string{"outcome": "success"}); n != 1 {
		t.Errorf("request durations %d, want 1", n)
	}
	if n := sampleCount(t, reg, "waiter_request_queue_seconds", nil); n != 1 {
		t.Errorf("queue waits %d, want 1", n)
	}
}

// find returns the metric of family name whose labels include want.
func find(t *testing.T, reg prometheus.Gatherer, name string, want map[string]string) *dto.Metric {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, lp := range m.GetLabel() {
				have[lp.GetName()] = lp.GetValue()
			}
			for k, v := range want {
				if have[k] != v {
					continue metrics
				}
			}
			return m
		}
	}
	t.Fatalf("no %s%v", name, want)
	return nil
}

func counterValue(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	return find(t, reg, name, labels).GetCounter().GetValue()
}

func sampleCount(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) uint64 {
	t.Helper()
	return find(t, reg, name, labels).GetHistogram().GetSampleCount()
}
