package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/sim/scenario"
)

func loadScenario(t testing.TB, name string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Load(filepath.Join("..", "scenarios", name))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func runJSON(t testing.TB, sc *scenario.Scenario, opts Options) ([]byte, *Report) {
	t.Helper()
	opts.CheckInvariants = true
	rep, err := Run(sc, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	return b, rep
}

func TestSameSeedSameReportOtherSeedDiffers(t *testing.T) {
	sc := loadScenario(t, "spike.yaml")
	a, _ := runJSON(t, sc, Options{})
	b, _ := runJSON(t, sc, Options{})
	if !bytes.Equal(a, b) {
		t.Fatal("the same seed gave different reports")
	}
	other := sc.Seed + 1
	c, _ := runJSON(t, sc, Options{Seed: &other})
	if bytes.Equal(a, c) {
		t.Fatal("another seed gave the very same report")
	}
}

func checkConservation(t *testing.T, name string, tot Totals) {
	t.Helper()
	if tot.Requests != tot.Completed+tot.Rejected+tot.InFlight {
		t.Errorf("%s: requests %d != completed %d + rejected %d + in flight %d", name,
			tot.Requests, tot.Completed, tot.Rejected, tot.InFlight)
	}
	if tot.InFlight < 0 || tot.Errors > tot.Completed {
		t.Errorf("%s: impossible figures %+v", name, tot)
	}
	var byReason int64
	for _, n := range tot.RejectedBy {
		byReason += n
	}
	if byReason != tot.Rejected {
		t.Errorf("%s: rejections by reason sum to %d, not %d", name, byReason, tot.Rejected)
	}
}

// TestFastScenariosMeetTheirAssertions runs every scenario marked fast,
// checking the simulator's invariants as it goes, request conservation,
// and the scenario's own assertions.
func TestFastScenariosMeetTheirAssertions(t *testing.T) {
	files, _ := filepath.Glob("../scenarios/*.yaml")
	ran := 0
	for _, f := range files {
		sc := loadScenario(t, filepath.Base(f))
		if !sc.Fast {
			continue
		}
		ran++
		t.Run(sc.Name, func(t *testing.T) {
			_, rep := runJSON(t, sc, Options{})
			checkConservation(t, sc.Name, rep.Totals)
			var sum Totals
			for _, s := range rep.Services {
				checkConservation(t, sc.Name+"/"+s.Name, s.Totals)
				sum.Requests += s.Requests
			}
			if sum.Requests != rep.Totals.Requests {
				t.Errorf("per-service requests sum to %d, totals say %d", sum.Requests, rep.Totals.Requests)
			}
			for _, a := range rep.Assertions {
				if !a.Passed {
					t.Errorf("assertion %s = %v outside [%v, %v]", a.Metric, a.Value, deref(a.Min), deref(a.Max))
				}
			}
		})
	}
	if ran == 0 {
		t.Fatal("no fast scenario found")
	}
}

func deref(p *float64) any {
	if p == nil {
		return "-"
	}
	return *p
}

func TestBrokenScenariosGiveClearErrors(t *testing.T) {
	base := "name: x\nduration: 1m\nservices:\n  - name: a\n    load: {kind: constant, rate: 1}\n"
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown top field", base + "colour: blue\n", "line 6"},
		{"unknown service field", "name: x\nduration: 1m\nservices:\n  - name: a\n    lod: {kind: constant, rate: 1}\n", "line 5"},
		{"bad duration", "name: x\nduration: soon\n", "line 2"},
		{"negative duration", "name: x\nduration: -1m\nservices: []\n", "duration"},
		{"no services", "name: x\nduration: 1m\n", "services"},
		{"unknown load kind", "name: x\nduration: 1m\nservices:\n  - name: a\n    load: {kind: tsunami}\n", "line 5"},
		{"invalid waiter params", base + "    params: {max-instances: 0}\n", "max-instances"},
		{"unknown policy", base + "policy: magic\n", "line 6"},
		{"unknown scheduler", base + "scheduler: nomad\n", `line 6: scheduler: unknown value "nomad" (one of marathon, shell, kubernetes)`},
		{"negative fast poll", base + "router: {fast-poll-interval: -1s}\n", "line 6"},
		{"unknown metric", base + "assertions:\n  - {metric: happiness, max: 1}\n", "line 7"},
		{"fault on unknown service", base + "faults:\n  - {kind: crash, service: b, count: 1}\n", "line 7"},
		{"not yaml", "name: [unclosed\n", "yaml"},
		{"empty", "", "empty"},
	}
	for _, c := range cases {
		_, err := scenario.Parse("test.yaml", []byte(c.yaml))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		var se *scenario.Error
		if !errors.As(err, &se) {
			t.Errorf("%s: error %v is not a *scenario.Error", c.name, err)
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "test.yaml") {
			t.Errorf("%s: error %q does not name %q and the file", c.name, err, c.want)
		}
	}
}

// An override must name a Waiter parameter; another spelling of one gets
// the spelling to use.
func TestOverridesMustBeWaiterParameters(t *testing.T) {
	sc := loadScenario(t, "spike.yaml")
	for set, want := range map[string]string{
		"idle_timeout_mins": `override "idle_timeout_mins": not a Waiter parameter: use idle-timeout-mins`,
		"colour":            `override "colour": not a Waiter parameter (docs/scenario.md lists them)`,
	} {
		_, err := Run(sc, Options{Set: map[string]any{set: 5.0}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("--set %s: got %v, want …%s…", set, err, want)
		}
	}
}
