package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/waiter-go/waiter/cmd/waiter-sim/internal/cli"
)

// sim runs waiter-sim in-process.
func sim(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = cli.Run(args, &o, &e)
	return code, o.String(), e.String()
}

func exists(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("want non-empty %s: %v", p, err)
		}
	}
}

func TestBrokenScenarioExits2WithFileLineAndField(t *testing.T) {
	for _, c := range []struct{ file, line, field string }{
		{"testdata/unknown-field.yaml", "8", `services[0].colour: unknown field "colour"`},
		{"testdata/bad-duration.yaml", "3", `duration: want a duration such as 200ms, 5s or 1h30m, got "five minutes"`},
	} {
		code, _, stderr := sim(t, "run", c.file, "--out", t.TempDir())
		if code != 2 {
			t.Errorf("%s: exit %d, want 2", c.file, code)
		}
		at := regexp.MustCompile(regexp.QuoteMeta(c.file) + `(:|: line )` + c.line + `\b`)
		if !at.MatchString(stderr) || !strings.Contains(stderr, c.field) {
			t.Errorf("%s: want file, line %s and %s in the message, got %q", c.file, c.line, c.field, stderr)
		}
		if strings.Contains(stderr, "goroutine") {
			t.Errorf("%s: panicked: %s", c.file, stderr)
		}
	}
	if code, _, stderr := sim(t, "run", "testdata/no-such-file.yaml"); code != 2 || !strings.Contains(stderr, "no-such-file.yaml") {
		t.Errorf("missing file: exit %d, %q", code, stderr)
	}
}

func TestRunWritesTheReports(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	stats := filepath.Join(out, "stats.json")
	code, stdout, stderr := sim(t, "run", "testdata/tiny.yaml", "--out", out, "--seed", "3", "--stats", stats)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	exists(t, filepath.Join(out, "report.json"), filepath.Join(out, "report.md"), filepath.Join(out, "report.html"))
	for _, want := range []string{"requests", "cold starts (requests)", "cold starts (services)", "latency p99.9", "instance-hours", "peak instances", "2/2 pass"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	var rep struct {
		Scenario string `json:"scenario"`
		Seed     uint64 `json:"seed"`
	}
	b, _ := os.ReadFile(filepath.Join(out, "report.json"))
	if err := json.Unmarshal(b, &rep); err != nil || rep.Scenario != "tiny" || rep.Seed != 3 {
		t.Errorf("report.json: %+v, %v", rep, err)
	}
	var st map[string]float64
	b, _ = os.ReadFile(stats)
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("stats: %v", err)
	}
	for _, k := range []string{"wall_seconds", "sim_seconds", "requests", "requests_per_second", "peak_rss_bytes"} {
		if st[k] <= 0 {
			t.Errorf("stats %s = %v, want > 0", k, st[k])
		}
	}
	// A tiny run in a warm test process may fault no page: only the
	// figure's presence is certain.
	if _, ok := st["page_faults"]; !ok {
		t.Errorf("stats lack page_faults: %s", b)
	}
}

func TestRunIsReproducible(t *testing.T) {
	t.Parallel()
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if code, _, stderr := sim(t, "run", "testdata/tiny.yaml", "--out", dir); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	for _, f := range []string{"report.json", "report.md", "report.html"} {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs of the same seed", f)
		}
	}
}

func TestFailingAssertionExits1AfterWriting(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	code, stdout, stderr := sim(t, "run", "testdata/failing.yaml", "--out", out)
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	exists(t, filepath.Join(out, "report.json"), filepath.Join(out, "report.md"), filepath.Join(out, "report.html"))
	if !strings.Contains(stdout, "FAIL requests") || !strings.Contains(stderr, "seed 7") {
		t.Errorf("want the failed assertion and the seed; stdout %q stderr %q", stdout, stderr)
	}
}

func TestSetReachesTheServices(t *testing.T) {
	t.Parallel()
	code, _, stderr := sim(t, "run", "testdata/tiny.yaml", "--out", t.TempDir(), "--set", "cpus=-1")
	if code != 2 || !strings.Contains(stderr, "cpus") {
		t.Errorf("an invalid override: exit %d, %q; want 2 naming cpus", code, stderr)
	}
	// A misspelt parameter would change nothing and report identical runs.
	code, _, stderr = sim(t, "sweep", "testdata/tiny.yaml", "--out", t.TempDir(), "--set", "scale_up_factor=0.1,0.3")
	if code != 2 || !strings.Contains(stderr, `override "scale_up_factor": not a Waiter parameter: use scale-up-factor`) {
		t.Errorf("a misspelt override: exit %d, %q; want 2 with the spelling to use", code, stderr)
	}
	// An unknown one is refused before anything runs, naming the flag.
	for _, args := range [][]string{{"sweep", "--set", "nosuch=1,2"}, {"run", "--set", "nosuch=1"}} {
		code, stdout, stderr := sim(t, append(append([]string{}, args[0], "testdata/tiny.yaml", "--out", t.TempDir()), args[1:]...)...)
		if code != 2 || !strings.Contains(stderr, `--set`) || !strings.Contains(stderr, `override "nosuch": not a Waiter parameter`) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 naming --set and nosuch", args, code, stdout, stderr)
		}
	}
}

func TestCompareWritesBothPolicies(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	code, stdout, stderr := sim(t, "compare", "testdata/tiny.yaml", "--policies", "waiter,knative", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	exists(t, filepath.Join(out, "compare.md"), filepath.Join(out, "compare.html"),
		filepath.Join(out, "waiter", "report.json"), filepath.Join(out, "knative", "report.json"))
	if !strings.Contains(stdout, "waiter") || !strings.Contains(stdout, "knative") {
		t.Errorf("side-by-side table lacks a policy:\n%s", stdout)
	}
}

func TestSweepWritesTheFront(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	code, stdout, stderr := sim(t, "sweep", "testdata/tiny.yaml", "--set", "scale-up-factor=0.05,0.1,0.3", "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	exists(t, filepath.Join(out, "sweep.md"), filepath.Join(out, "sweep.html"),
		filepath.Join(out, "scale-up-factor-0.05", "report.json"))
	md, _ := os.ReadFile(filepath.Join(out, "sweep.md"))
	if !strings.Contains(string(md), "## Pareto front") || !strings.Contains(stdout, "Pareto front") {
		t.Errorf("no Pareto front:\n%s", md)
	}
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string // in stdout+stderr
	}{
		{nil, 2, "Usage:"},
		{[]string{"--help"}, 0, "waiter-sim run scenarios/spike.yaml"},
		{[]string{"run", "--help"}, 0, "Usage: waiter-sim run <file>"},
		{[]string{"help", "sweep"}, 0, "Usage: waiter-sim sweep --set=PARAM=V1,V2,... <file>"},
		{[]string{"marathon", "--help"}, 0, "--start-check-interval"},
		{[]string{"fly"}, 2, `unknown command "fly" (known: run, compare, sweep, reports, load, fidelity, marathon, docs, completion)`},
		{[]string{"run"}, 2, `expected "<file>"`},
		{[]string{"run", "a.yaml", "b.yaml"}, 2, "unexpected argument b.yaml"},
		{[]string{"run", "testdata/tiny.yaml", "--policy", "magic"}, 2, `unknown policy "magic"`},
		{[]string{"run", "testdata/tiny.yaml", "--seed", "x"}, 2, `--seed: expected a valid 64 bit uint but got "x"`},
		{[]string{"run", "testdata/tiny.yaml", "--set", "novalue"}, 2, "want k=v"},
		{[]string{"run", "testdata/tiny.yaml", "--set", "novalue"}, 2, "Run 'waiter-sim run --help' for usage."},
		{[]string{"compare", "testdata/tiny.yaml"}, 2, "missing flags: --policies"},
		{[]string{"compare", "testdata/tiny.yaml", "--policies", "waiter,waiter"}, 2, "listed twice"},
		{[]string{"sweep", "testdata/tiny.yaml"}, 2, "missing flags: --set"},
		{[]string{"sweep", "testdata/tiny.yaml", "--set", "scale-up-factor="}, 2, "lists no values"},
		{[]string{"reports", "a", "b"}, 2, "unexpected argument b"},
		{[]string{"reports", t.TempDir()}, 2, "no scenarios"},
		{[]string{"marathon", "extra"}, 2, "unexpected argument extra"},
		{[]string{"marathon", "--port-range", "9-1"}, 2, "want LO-HI"},
		{[]string{"--version"}, 0, "waiter-sim "},
		{[]string{"completion", "fish"}, 0, "complete -f -c waiter-sim"},
	} {
		code, stdout, stderr := sim(t, c.args...)
		if code != c.code || !strings.Contains(stdout+stderr, c.want) {
			t.Errorf("%v: exit %d, output %q; want exit %d and %q", c.args, code, stdout+stderr, c.code, c.want)
		}
	}
}

func TestLoadRefusesWhatKitchenCannotPlay(t *testing.T) {
	t.Parallel()
	code, _, stderr := sim(t, "load", "../../scenarios/faults.yaml", "--target", "http://127.0.0.1:1", "--kitchen", "/bin/true", "--out", t.TempDir())
	if code != 2 || !strings.Contains(stderr, "faults: cannot be played for real") {
		t.Errorf("exit %d, %q; want 2 naming the faults", code, stderr)
	}
	code, _, stderr = sim(t, "fidelity", "../../scenarios/fidelity-step.yaml", "--runs", "0")
	if code != 2 || !strings.Contains(stderr, "--runs must be at least 1") {
		t.Errorf("--runs 0: exit %d, %q", code, stderr)
	}
}
