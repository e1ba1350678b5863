package waiterhttp

import (
	"testing"
	"time"

	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
)

func TestExtMetricsMergeKeepsLatestOfRunningInstances(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	running := func(id string) (waiter.ServiceSnapshot, bool) {
		if id != "svc" {
			return waiter.ServiceSnapshot{}, false
		}
		return waiter.ServiceSnapshot{ID: id, Instances: []waiter.InstanceSnapshot{
			{ObservedInstance: engine.ObservedInstance{ID: "i1"}}, {ObservedInstance: engine.ObservedInstance{ID: "i2"}}}}, true
	}
	metric := func(updated, last int, tag string) extMetric {
		return extMetric{updatedAt: t0.Add(time.Duration(updated) * time.Second), lastReq: t0.Add(time.Duration(last) * time.Second),
			raw: map[string]any{"tag": tag}}
	}
	var x extMetrics
	latest := x.merge(map[string]map[string]extMetric{
		"svc":   {"i1": metric(10, 5, "a"), "gone": metric(10, 50, "x")},
		"other": {"i9": metric(10, 60, "y")},
	}, running, t0)
	if len(latest) != 1 || !latest["svc"].Equal(t0.Add(5*time.Second)) {
		t.Fatalf("latest = %v, want svc at +5s only (unknown services and instances dropped)", latest)
	}
	// An older update of i1 loses; a newer one of i2 is added.
	latest = x.merge(map[string]map[string]extMetric{"svc": {"i1": metric(9, 99, "old"), "i2": metric(11, 7, "b")}}, running, t0)
	if !latest["svc"].Equal(t0.Add(7 * time.Second)) {
		t.Errorf("latest = %v, want +7s", latest["svc"])
	}
	view, _ := x.view()
	if view["svc"]["i1"].(map[string]any)["tag"] != "a" || view["svc"]["i2"].(map[string]any)["tag"] != "b" || len(view) != 1 || len(view["svc"]) != 2 {
		t.Errorf("kept %v", view)
	}
	// A newer update wins.
	x.merge(map[string]map[string]extMetric{"svc": {"i1": metric(12, 8, "new")}}, running, t0)
	if view, _ := x.view(); view["svc"]["i1"].(map[string]any)["tag"] != "new" {
		t.Errorf("newer update lost: %v", view)
	}
}
