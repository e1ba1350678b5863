package fidelity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// buildBinaries builds waiter, waiter-sim and kitchen into dir: the
// command finds waiter and kitchen beside itself.
func buildBinaries(t *testing.T, dir string) string {
	t.Helper()
	// The router measured against the model is the one that ships: a
	// -race build (make test's e2ekit.RaceEnv) is several times slower
	// per request and would be calibrated instead.
	t.Setenv(e2ekit.RaceEnv, "")
	p, err := e2ekit.Build(dir, "waiter", "waiter-sim", "kitchen")
	if err != nil {
		t.Fatal(err)
	}
	return p[1]
}

type report struct {
	Checks []struct {
		What   string `json:"what"`
		Value  string `json:"value"`
		Passed bool   `json:"passed"`
	} `json:"checks"`
	Against []struct {
		B               string  `json:"b"`
		RequestedWithin float64 `json:"requested_within"`
		HealthyWithin   float64 `json:"healthy_within"`
	} `json:"simulated_vs_real"`
	Calibration struct {
		ProcessStartMS  float64   `json:"process_start_ms"`
		RouterRequestMS float64   `json:"router_request_ms"`
		PassLateRuns    []float64 `json:"scaling_pass_late_runs_ms"`
	} `json:"calibration"`
}

// The simulated requested and healthy instances follow a real run's
// (shell scheduler, kitchen) on at least 90 % of the 5 s samples, within
// one instance. Latency and cold starts are judged by make fidelity: one
// short run on a shared machine is too noisy for them.
func TestSimulatedInstancesFollowARealRun(t *testing.T) {
	dir := t.TempDir()
	sim := buildBinaries(t, dir)
	out := filepath.Join(dir, "out")
	cmd := exec.Command(sim, "fidelity", "testdata/quick.yaml", "--out", out)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	var ee *exec.ExitError
	// Exit 1 is a missed tolerance, judged below for the curves; 2 an error.
	if err != nil && (!errors.As(err, &ee) || ee.ExitCode() != 1) {
		t.Fatalf("waiter-sim fidelity: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	t.Logf("%s in %v:\n%s", cmd, time.Since(start).Round(time.Second), stdout.String())
	b, err := os.ReadFile(filepath.Join(out, "fidelity.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Calibration.ProcessStartMS <= 0 || rep.Calibration.RouterRequestMS <= 0 {
		t.Errorf("calibration not measured: %+v", rep.Calibration)
	}
	// The real router's scaling passes were timed from its /state.
	if len(rep.Calibration.PassLateRuns) != 1 {
		t.Errorf("scaling passes timed in %d real runs, want 1: %+v", len(rep.Calibration.PassLateRuns), rep.Calibration)
	}
	curves := 0
	for _, c := range rep.Checks {
		if c.What == "requested instances" || c.What == "healthy instances" {
			curves++
			if !c.Passed {
				t.Errorf("%s: %s of samples within ±1, want ≥ 90 %%", c.What, c.Value)
			}
		}
	}
	if curves != 2 || len(rep.Against) != 2 {
		t.Fatalf("fidelity.json lacks the curve checks: %s", b)
	}
	for _, f := range []string{"fidelity.md", "fidelity.html", "real_1/report.json", "real_1/requests.jsonl", "simulated/report.json", "replayed/report.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	// Everything it started has stopped: no process runs from dir.
	if left := processesFrom(dir); len(left) > 0 {
		t.Errorf("processes left running: %v", left)
	}
}

// processesFrom lists running processes whose command line mentions dir.
func processesFrom(dir string) []string {
	var out []string
	for _, pid := range e2ekit.LivePIDs() {
		if cl := e2ekit.Cmdline(pid); strings.Contains(cl, dir) {
			out = append(out, fmt.Sprintf("%d: %s", pid, cl))
		}
	}
	return out
}
