package realrun

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim"
	"github.com/waiter-go/waiter/sim/scenario"
)

func loadScenario(t *testing.T, name string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Load(filepath.Join("..", "..", "..", "..", "scenarios", name))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// A real run sends exactly the arrivals the simulator draws from the same
// seed: the simulator's OnArrival sees the plan's times, service by service.
func TestPlanSendsTheSimulatorsArrivals(t *testing.T) {
	sc := loadScenario(t, "fidelity-step.yaml")
	p, err := newPlan(sc, sc.Seed, "/bin/kitchen", "")
	if err != nil {
		t.Fatal(err)
	}
	var simAt []time.Duration
	if _, err := sim.Run(sc, sim.Options{OnArrival: func(at time.Duration, _ string) { simAt = append(simAt, at) }}); err != nil {
		t.Fatal(err)
	}
	if len(simAt) != len(p.arrivals) || len(simAt) < 100 {
		t.Fatalf("plan has %d arrivals, the simulation %d", len(p.arrivals), len(simAt))
	}
	for i, a := range p.arrivals {
		if a.at != simAt[i] {
			t.Fatalf("arrival %d at %v, simulated at %v", i, a.at, simAt[i])
		}
		if a.work != 200*time.Millisecond {
			t.Fatalf("arrival %d works %v, want the scenario's 200ms", i, a.work)
		}
	}
	h := p.services[0].headers
	if got := h.Get("x-waiter-cmd"); got != "/bin/kitchen -p $PORT0 --start-up-sleep-ms 2000" {
		t.Errorf("cmd %q", got)
	}
	if h.Get("x-waiter-concurrency-level") != "1" || h.Get("x-waiter-name") != "step" || h.Get("x-waiter-cpus") != "0.1" {
		t.Errorf("headers %v", h)
	}
}

func TestPlanRefusesWhatKitchenCannotPlay(t *testing.T) {
	for name, want := range map[string]string{
		"faults.yaml": "faults: cannot be played for real",
		"trace.yaml":  "trace: cannot be played for real",
		"spike.yaml":  "slow-when-busy: cannot be played for real",
	} {
		_, err := newPlan(loadScenario(t, name), 1, "/bin/kitchen", "")
		if !errors.Is(err, errUnplayable) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}

func TestClassifyTellsRouterRefusalsFromServiceErrors(t *testing.T) {
	for _, c := range []struct {
		status  int
		body    string
		outcome string
	}{
		{200, "Hello World", outcomeOK},
		{503, `{"waiter-error":{"message":"Request queue timed out. (queue-timeout 5m)"}}`, outcomeRejected},
		{429, `{"waiter-error":{"message":"Too many requests"}}`, outcomeRejected},
		{502, `{"waiter-error":{"message":"Connection refused"}}`, outcomeError},
		{503, "busy", outcomeError},
	} {
		if got, reason := classify(c.status, []byte(c.body)); got != c.outcome {
			t.Errorf("%d %s: %s (%s), want %s", c.status, c.body, got, reason, c.outcome)
		}
	}
}

func TestCountersAddUpAcrossAServicesLives(t *testing.T) {
	var c counter
	for _, v := range []float64{0, 3, 5} {
		c.see(v)
	}
	c.gone() // removed for idleness
	for _, v := range []float64{2, 4} {
		c.see(v)
	}
	if c.total != 9 {
		t.Fatalf("total %v, want 5 + 4", c.total)
	}
	id, v, ok := parseSeries(`waiter_service_cold_starts_total{service_id="s-1",service_name="x"} 12`)
	if !ok || id != "s-1" || v != 12 {
		t.Fatalf("parseSeries: %q %v %v", id, v, ok)
	}
}

// The scenario's policy reaches the router under test with each service
// that does not choose its own: a router started by someone else (load
// --target) has its own default.
func TestPlanSendsTheScenariosPolicy(t *testing.T) {
	sc := loadScenario(t, "fidelity-step.yaml")
	sc.Policy = "knative"
	p, err := newPlan(sc, sc.Seed, "/bin/kitchen", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.services[0].headers.Get("x-waiter-scaling-policy"); got != "knative" {
		t.Errorf("scaling-policy header %q, want the scenario's knative", got)
	}
	sc.Services[0].Behaviour.Params["scaling-policy"] = "predictive"
	if p, err = newPlan(sc, sc.Seed, "/bin/kitchen", ""); err != nil {
		t.Fatal(err)
	}
	if got := p.services[0].headers.Get("x-waiter-scaling-policy"); got != "predictive" {
		t.Errorf("scaling-policy header %q, want the service's own predictive", got)
	}
}
