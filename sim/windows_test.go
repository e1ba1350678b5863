package sim

import (
	"reflect"
	"testing"
	"time"

	"github.com/waiter-go/waiter/sim/load"
	"github.com/waiter-go/waiter/sim/scenario"
)

func TestScenarioWindowsFromFaultsAndLoad(t *testing.T) {
	step := load.Spec{Step: &load.StepSpec{Base: 20, Multiplier: 50, Start: 10 * time.Minute, Duration: 5 * time.Minute}}
	ramp := load.Spec{Ramp: &load.RampSpec{From: 1, To: 9, Start: 50 * time.Minute, Duration: 20 * time.Minute}}
	sc := &scenario.Scenario{
		Services: []scenario.Service{
			{Name: "api", Count: 3, Load: &load.Spec{Sum: &load.SumSpec{Of: []load.Spec{step, ramp}}}},
			{Name: "shop", Load: &load.Spec{Constant: &load.ConstantSpec{Rate: 1}}, Split: &load.SplitSpec{
				Versions: []string{"v1", "v2"},
				Schedule: []load.WeightPoint{{At: 0, Weights: []float64{1, 0}}, {At: 10 * time.Minute, Weights: []float64{1, 0}},
					{At: 20 * time.Minute, Weights: []float64{0, 1}}}}},
		},
		Faults: []scenario.Fault{
			{Kind: scenario.FaultMarathonOutage, Start: 15 * time.Minute, Duration: 3 * time.Minute},
			{Kind: scenario.FaultCrash, Start: 10 * time.Minute, Service: "api", Count: 2},
			{Kind: scenario.FaultSlowLaunch, Start: 25 * time.Minute, Duration: 5 * time.Minute, Factor: 10},
		},
	}
	got := scenarioWindows(sc, time.Hour)
	want := []Window{
		{Kind: "crash", Label: "2 instances crash", Service: "api", StartS: 600, EndS: 600},
		{Kind: "spike", Label: "spike x50 (20 to 1000/s)", Service: "api", StartS: 600, EndS: 900},
		{Kind: "split", Label: "weights v1 1 to 0, v2 0 to 1", Service: "shop", StartS: 600, EndS: 1200},
		{Kind: "marathon-outage", Label: "Marathon outage", StartS: 900, EndS: 1080},
		{Kind: "slow-launch", Label: "launches 10x slower", StartS: 1500, EndS: 1800},
		// The ramp runs past the end of the run: clipped.
		{Kind: "ramp", Label: "ramp 1 to 9/s", Service: "api", StartS: 3000, EndS: 3600},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("windows:\n got %+v\nwant %+v", got, want)
	}
}

func TestLoadWindowsClipInnerProcessesToTheOuterWindow(t *testing.T) {
	inner := load.Spec{Step: &load.StepSpec{Base: 1, Multiplier: 0.5, Start: time.Minute}}
	s := load.Spec{Window: &load.WindowSpec{Start: 2 * time.Minute, End: 4 * time.Minute, Load: inner}}
	got := loadWindows(s, 0, 10*time.Minute)
	want := []Window{
		{Kind: "load-window", Label: "load on", StartS: 120, EndS: 240},
		{Kind: "dip", Label: "dip x0.5 (1 to 0.5/s)", StartS: 120, EndS: 240},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("windows:\n got %+v\nwant %+v", got, want)
	}
}

// A run's report carries what its charts draw beyond the measured series:
// the policy's desired count, max-instances and the scenario's windows.
func TestReportCarriesDesiredLimitsAndWindows(t *testing.T) {
	_, rep := runJSON(t, loadScenario(t, "spike.yaml"), Options{})
	if rep.MaxInstances != 200 || len(rep.Services) != 1 || rep.Services[0].MaxInstances != 200 {
		t.Errorf("max-instances: report %d, services %+v; want 200", rep.MaxInstances, rep.Services)
	}
	if len(rep.Windows) != 1 || rep.Windows[0].Kind != "spike" || rep.Windows[0].StartS != 600 || rep.Windows[0].EndS != 900 {
		t.Errorf("windows %+v, want the spike from 10m to 15m", rep.Windows)
	}
	s := rep.Series
	if len(s.Desired) != len(s.TimeS) || len(s.Panicking) != len(s.TimeS) {
		t.Fatalf("desired %d and panicking %d points for %d intervals", len(s.Desired), len(s.Panicking), len(s.TimeS))
	}
	// The policy's desired count rises with the burst to max-instances.
	// (The router, polling right after each scale call and fast while
	// requests wait, follows it within a second or two: a sample every
	// 8 s does not catch desired ahead of requested.)
	peak, before := 0.0, 0.0
	for i := range s.TimeS {
		if s.TimeS[i] < 600 {
			before = max(before, s.Desired[i])
		}
		peak = max(peak, s.Desired[i])
		if s.Panicking[i] != 0 {
			t.Fatalf("Waiter's policy panicked at %gs", s.TimeS[i])
		}
	}
	if peak != 200 || before >= 100 {
		t.Errorf("desired peaks at %g in the burst and %g before it; want 200 and well under it", peak, before)
	}

	_, kn := runJSON(t, loadScenario(t, "spike.yaml"), Options{Policy: "knative"})
	panics := 0.0
	for _, p := range kn.Series.Panicking {
		panics = max(panics, p)
	}
	if panics != 1 {
		t.Errorf("knative on a 50x burst: at most %g services panicking, want 1", panics)
	}
}
