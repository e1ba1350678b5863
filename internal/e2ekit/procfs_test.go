package e2ekit

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"
)

// TestProcessesWithEnvFindsOnlyMarkedProcesses starts two children, one
// with the marking variable and one without, and expects to find the
// first alone, labelled, and neither once both are stopped and reaped.
func TestProcessesWithEnvFindsOnlyMarkedProcesses(t *testing.T) {
	mark := fmt.Sprintf("E2EKIT_TEST_%d", os.Getpid())
	start := func(env ...string) *exec.Cmd {
		cmd := exec.Command("sleep", "60")
		cmd.Env = append(os.Environ(), env...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd
	}
	marked := start(mark+"=yes", "E2EKIT_LABEL=the-one")
	start("E2EKIT_LABEL=other")

	got := ProcessesWithEnv(EnvIs(mark, "yes"), "E2EKIT_LABEL")
	if len(got) != 1 || got[0].PID != marked.Process.Pid || got[0].Label != "the-one" || got[0].Cmdline != "sleep 60" {
		t.Fatalf("got %+v, want only pid %d labelled the-one running sleep 60", got, marked.Process.Pid)
	}
	if !Alive(marked.Process.Pid) || !slices.Contains(ProcessesRunning("sleep"), marked.Process.Pid) {
		t.Fatalf("pid %d is running sleep but Alive or ProcessesRunning misses it", marked.Process.Pid)
	}
	_ = marked.Process.Kill()
	_ = marked.Wait()
	if Alive(marked.Process.Pid) {
		t.Errorf("pid %d still alive after it was killed and reaped", marked.Process.Pid)
	}
	if got := ProcessesWithEnv(EnvIs(mark, "yes"), ""); len(got) != 0 {
		t.Errorf("after the kill: %+v, want none", got)
	}
}

func TestEnvUnderMatchesPathsInsideTheFolderOnly(t *testing.T) {
	m := EnvUnder("SANDBOX", "/tmp/a")
	for kv, want := range map[string]bool{
		"SANDBOX=/tmp/a/task-1": true,
		"SANDBOX=/tmp/ab/task":  false, // a sibling folder with the same prefix
		"SANDBOX=/tmp/a":        false,
		"OTHER=/tmp/a/task-1":   false,
	} {
		if got := m([]byte(kv)); got != want {
			t.Errorf("%s: %v, want %v", kv, got, want)
		}
	}
}

func TestLabelsAreSortedAndDistinct(t *testing.T) {
	got := Labels([]Process{{Label: "b"}, {Label: "a"}, {Label: "b"}, {Label: "c"}})
	if want := []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("Labels = %v, want %v", got, want)
	}
}
