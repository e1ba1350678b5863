package clikit

import (
	"bytes"
	"encoding/json"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

func TestFormatVersion(t *testing.T) {
	for _, c := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build information", nil, "waiter devel (no build information)"},
		{"source tree without VCS stamping", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}},
			"waiter devel (commit unknown) go1.26.0"},
		{"tagged module with a clean commit", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.2.3"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "1a2b3c4d5e6f7a8b9c0d"}, {Key: "vcs.time", Value: "2025-01-02T03:04:05Z"},
				{Key: "vcs.modified", Value: "false"}}},
			"waiter v1.2.3 (commit 1a2b3c4d5e6f, 2025-01-02T03:04:05Z) go1.26.0"},
		{"modified work tree", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}},
			"waiter devel (commit abc, modified) go1.26.0"},
	} {
		if got := FormatVersion("waiter", c.info); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCommitFromTheLinker(t *testing.T) {
	old := Commit
	t.Cleanup(func() { Commit = old })
	Commit = "0123456789abcdef"
	info := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}}
	if got := FormatVersion("kitchen", info); got != "kitchen devel (commit 0123456789ab) go1.26.0" {
		t.Errorf("no stamped commit: %q, want the linker's", got)
	}
	info.Settings = []debug.BuildSetting{{Key: "vcs.revision", Value: "fedcba9876543210"}}
	if got := FormatVersion("kitchen", info); got != "kitchen devel (commit fedcba987654) go1.26.0" {
		t.Errorf("a stamped commit must win: %q", got)
	}
}

func TestLogFlags(t *testing.T) {
	var b bytes.Buffer
	LogFlags{LogFormat: "json", LogLevel: "warn"}.Logger(&b).Info("hidden")
	LogFlags{LogFormat: "json", LogLevel: "warn"}.Logger(&b).Warn("shown", "service-id", "s1")
	var line map[string]any
	if err := json.Unmarshal(b.Bytes(), &line); err != nil {
		t.Fatalf("want exactly one JSON line, got %q: %v", b.String(), err)
	}
	if line["msg"] != "shown" || line["service-id"] != "s1" || line["level"] != "WARN" {
		t.Errorf("JSON line %v", line)
	}
	b.Reset()
	LogFlags{LogFormat: "text", LogLevel: "debug"}.Logger(&b).Debug("scaling", "service-id", "s1")
	if !strings.Contains(b.String(), "level=DEBUG msg=scaling service-id=s1") {
		t.Errorf("text line %q", b.String())
	}
	if (LogFlags{}).Level().String() != "INFO" {
		t.Error("an unset level must mean info")
	}
}

// grammar is a small binary with one command, as each binary declares.
type grammar struct {
	Version kong.VersionFlag `help:"Print the version and exit."`
	Run     struct {
		LogFlags `embed:""`
		File     string `arg:"" predictor:"yaml" help:"The scenario."`
		Seed     int    `help:"The seed."`
	} `cmd:"" help:"Run a scenario."`
	Completion CompletionCmd `cmd:"" help:"Print shell completion code."`
}

func parse(t *testing.T, args ...string) (g *grammar, ctx *kong.Context, code int, done bool, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	g = &grammar{}
	app, err := New("demo", "A demo.", g, &o, &e)
	if err != nil {
		t.Fatal(err)
	}
	ctx, code, done = app.Parse(args)
	return g, ctx, code, done, o.String(), e.String()
}

func TestParse(t *testing.T) {
	g, ctx, code, done, _, _ := parse(t, "run", "a.yaml", "--seed", "3", "--log-format", "json")
	if done || code != 0 || ctx.Command() != "run <file>" || g.Run.File != "a.yaml" || g.Run.Seed != 3 || g.Run.LogFormat != "json" || g.Run.LogLevel != "info" {
		t.Errorf("run: done %v code %d %+v", done, code, g.Run)
	}
	_, _, code, done, stdout, _ := parse(t, "run", "--help")
	if !done || code != 0 || !strings.Contains(stdout, "Usage: demo run <file>") || !strings.Contains(stdout, "--log-level") {
		t.Errorf("run --help: done %v code %d\n%s", done, code, stdout)
	}
	_, _, code, done, stdout, _ = parse(t, "--version")
	if !done || code != 0 || !strings.HasPrefix(stdout, "demo ") || !strings.Contains(stdout, "commit") {
		t.Errorf("--version: done %v code %d %q", done, code, stdout)
	}
	_, _, code, done, _, stderr := parse(t, "run", "a.yaml", "--sed", "3")
	if !done || code != 2 || !strings.Contains(stderr, "--sed") || !strings.Contains(stderr, "Run 'demo run --help' for usage.") {
		t.Errorf("bad flag: done %v code %d %q", done, code, stderr)
	}
	_, _, code, _, _, stderr = parse(t, "run", "a.yaml", "--log-level", "loud")
	if code != 2 || !strings.Contains(stderr, "--log-level") {
		t.Errorf("bad level: code %d %q", code, stderr)
	}
}

func TestShellAsksForCompletions(t *testing.T) {
	t.Setenv("COMP_LINE", "demo r")
	_, _, code, done, stdout, _ := parse(t)
	if !done || code != 0 || strings.TrimSpace(stdout) != "run" {
		t.Errorf("commands: done %v code %d %q", done, code, stdout)
	}
	t.Setenv("COMP_LINE", "demo run --log-f")
	_, _, _, _, stdout, _ = parse(t)
	if strings.TrimSpace(stdout) != "--log-format" {
		t.Errorf("flags: %q", stdout)
	}
	t.Setenv("COMP_LINE", "demo run --log-format ")
	_, _, _, _, stdout, _ = parse(t)
	if got := strings.Fields(stdout); len(got) != 2 || !strings.Contains(stdout, "json") || !strings.Contains(stdout, "text") {
		t.Errorf("enum values: %q", stdout)
	}
}

func TestCompletionScript(t *testing.T) {
	var b bytes.Buffer
	c := CompletionCmd{Shell: "bash"}
	if err := c.Print(&b, "waiter-sim", "/opt/my bin/waiter-sim"); err != nil {
		t.Fatal(err)
	}
	if b.String() != "complete -C '/opt/my bin/waiter-sim' waiter-sim\n" {
		t.Errorf("bash: %q", b.String())
	}
	z, _ := CompletionScript("zsh", "waiter", "/bin/waiter")
	f, _ := CompletionScript("fish", "waiter-sim", "/bin/waiter-sim")
	if !strings.Contains(z, "bashcompinit\ncomplete -C /bin/waiter waiter\n") ||
		!strings.Contains(f, "function __complete_waiter_sim") || !strings.Contains(f, `complete -f -c waiter-sim -a "(__complete_waiter_sim)"`) {
		t.Errorf("zsh %q\nfish %q", z, f)
	}
	if _, err := CompletionScript("tcsh", "waiter", "/bin/waiter"); err == nil || !strings.Contains(err.Error(), "tcsh") {
		t.Errorf("unknown shell: %v", err)
	}
}
