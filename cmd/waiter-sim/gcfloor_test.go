package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"testing"
)

// TestMain runs this test binary as waiter-sim itself, main and all, when
// asked to (runAsCommand), so a test can see what only main sets up.
func TestMain(m *testing.M) {
	if os.Getenv("WAITER_SIM_TEST_AS_COMMAND") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// runAsCommand runs waiter-sim's main in a child process with args and
// the extra environment, and returns its standard error.
func runAsCommand(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "WAITER_SIM_TEST_AS_COMMAND=1"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("waiter-sim %v: %v\n%s", args, err, stderr.String())
	}
	return stderr.String()
}

var gcLine = regexp.MustCompile(`(?m)^gc \d+ @`)

// spike.yaml allocates about 10 MB, nearly all of it kept to the end:
// with the GC floor main starts, the heap is never collected during the
// run; with Go's default (GOGC=100 turns the floor off) it is, at 4 MB
// and again as it doubles. The heap stays on small pages here so that
// hugeheap's own collection does not count.
func TestMainKeepsTheGCFloor(t *testing.T) {
	t.Parallel()
	base := []string{"GODEBUG=gctrace=1", "WAITER_SIM_HUGE_PAGES=off", "GOGC=", "GOMEMLIMIT="}
	args := []string{"run", "../../scenarios/spike.yaml", "--out", t.TempDir()}
	if n := len(gcLine.FindAllString(runAsCommand(t, base, args...), -1)); n != 0 {
		t.Errorf("with the GC floor: %d collections, want none", n)
	}
	if n := len(gcLine.FindAllString(runAsCommand(t, append(base, "GOGC=100"), args...), -1)); n == 0 {
		t.Errorf("with GOGC=100: no collection; the run no longer shows what the floor saves")
	}
}
