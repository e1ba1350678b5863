package waiterhttp

import (
	"github.com/waiter-go/waiter"
	"runtime"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Per-service series carry the service's name as well as its id, one
// scaling-state series per state with the current one set, the policy's
// desired count, the deployment-error flag and the router's counters.
func TestServiceSeries(t *testing.T) {
	e := newTestEdge(t)
	d := describe(t, "x-waiter-name", "search-api")
	e.router.put(waiter.ServiceSnapshot{ID: d.ID, Description: d, Requested: 2, Scheduled: 2, ScalingState: "scale-up",
		DeploymentError: "Invalid startup command",
		Autoscaler:      waiter.AutoscalerSnapshot{Policy: "waiter", Decided: true},
		Counters:        waiter.ServiceCounters{ColdStarts: 3, Launched: 4, Killed: 1, Failed: 2}})
	snap, _ := e.router.Service(d.ID)
	snap.Autoscaler.Decision.ScaleTo = 5
	e.router.put(snap)

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(serviceCollector{router: e.router})
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"service_id": d.ID, "service_name": "search-api"}
	for name, want := range map[string]float64{
		"waiter_service_requested_instances":      2,
		"waiter_service_desired_instances":        5,
		"waiter_service_deployment_error":         1,
		"waiter_service_cold_starts_total":        3,
		"waiter_service_instances_launched_total": 4,
		"waiter_service_instances_killed_total":   1,
		"waiter_service_instances_failed_total":   2,
	} {
		if got := sampleValue(t, families, name, labels); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	for state, want := range map[string]float64{"scale-up": 1, "scale-down": 0, "stable": 0} {
		l := map[string]string{"service_id": d.ID, "service_name": "search-api", "state": state}
		if got := sampleValue(t, families, "waiter_service_scaling_state", l); got != want {
			t.Errorf("scaling state %s = %v, want %v", state, got, want)
		}
	}
}

// waiter_build_info is 1 with the build's labels.
func TestBuildInfo(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(buildInfo("abc1234"))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(families) != 1 || len(families[0].GetMetric()) != 1 {
		t.Fatalf("want one waiter_build_info series, got %v", families)
	}
	if got := sampleValue(t, families, "waiter_build_info", map[string]string{"version": "abc1234", "go_version": runtime.Version()}); got != 1 {
		t.Errorf("waiter_build_info = %v, want 1", got)
	}
}

// sampleValue is the value of the gauge or counter of family name whose
// labels include want.
func sampleValue(t *testing.T, families []*dto.MetricFamily, name string, want map[string]string) float64 {
	t.Helper()
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
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no %s%v", name, want)
	return 0
}
