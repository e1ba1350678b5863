package fidelity

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildBinaries builds waiter, waiter-sim and kitchen into dir: the
// command finds waiter and kitchen beside itself.
func buildBinaries(t *testing.T, dir string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not in PATH: %v", err)
	}
	out, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	cmd := exec.Command(goBin, "build", "-o", dir+string(filepath.Separator), "./cmd/waiter", "./cmd/waiter-sim", "./cmd/kitchen")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(out)))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return filepath.Join(dir, "waiter-sim")
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
	ents, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.Contains(b, []byte(dir)) {
			out = append(out, e.Name()+": "+strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
	return out
}
