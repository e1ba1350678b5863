package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommittedReportsAreFresh fails when a fast scenario's committed
// report under reports/ is missing or differs from what the simulator
// now writes. Run `make reports` and commit the result.
func TestCommittedReportsAreFresh(t *testing.T) {
	code, stdout, stderr := sim(t, "reports", "--check", filepath.Join("..", ".."))
	if code != 0 {
		t.Fatalf("reports are stale (exit %d); run 'make reports'.\n%s%s", code, stdout, stderr)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReportsCheckAndRegenerate(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	copyFile(t, "testdata/tiny.yaml", filepath.Join(root, "scenarios", "tiny.yaml"))       // fast: true
	copyFile(t, "testdata/failing.yaml", filepath.Join(root, "scenarios", "failing.yaml")) // not fast

	code, stdout, _ := sim(t, "reports", "--check", root)
	if code != 1 || !strings.Contains(stdout, "missing: "+filepath.Join("reports", "tiny", "report.json")) {
		t.Fatalf("no reports yet: exit %d, %q; want 1 naming the missing file", code, stdout)
	}

	code, stdout, stderr := sim(t, "reports", root)
	if code != 0 || !strings.Contains(stdout, "reports/tiny: updated report.json, report.md, report.html") {
		t.Fatalf("regenerate: exit %d, %q %q", code, stdout, stderr)
	}
	exists(t, filepath.Join(root, "reports", "tiny", "report.html"))
	if _, err := os.Stat(filepath.Join(root, "reports", "failing")); err == nil {
		t.Error("a scenario without fast: true got a report without --all")
	}
	if code, stdout, _ = sim(t, "reports", root); code != 0 || !strings.Contains(stdout, "reports/tiny: unchanged") {
		t.Errorf("regenerating again must change nothing: exit %d, %q", code, stdout)
	}
	if code, stdout, _ = sim(t, "reports", "--check", root); code != 0 {
		t.Errorf("fresh reports: exit %d, %q", code, stdout)
	}

	md := filepath.Join(root, "reports", "tiny", "report.md")
	if err := os.WriteFile(md, []byte("edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "reports", "gone"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = sim(t, "reports", "--check", root)
	if code != 1 || !strings.Contains(stdout, "stale:   reports/tiny/report.md") ||
		!strings.Contains(stdout, "orphan:  reports/gone") {
		t.Errorf("stale and orphaned: exit %d, %q", code, stdout)
	}
	if i := strings.Index(stderr, "fresh copies are in "); i >= 0 {
		os.RemoveAll(strings.TrimSuffix(strings.TrimSpace(stderr[i+len("fresh copies are in "):]), ")"))
	}

	if code, stdout, stderr = sim(t, "reports", "--all", root); code != 0 ||
		!strings.Contains(stdout, "reports/failing: updated report.json, report.md, report.html (assertions FAIL)") {
		t.Errorf("--all: exit %d, %q %q", code, stdout, stderr)
	}
}
