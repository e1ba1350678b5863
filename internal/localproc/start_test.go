package localproc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Start runs the program in its own process group in a fresh folder,
// with exactly the given environment, and its output in the folder; the
// command it returns to wait for keeps neither.
func TestStart(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "task")
	cmd, err := Start(Spec{
		Argv:    []string{"/bin/sh", "-c", `echo "$GREETING from $(pwd)"; echo oops >&2; [ -z "$HOME" ]`},
		Env:     []string{"GREETING=hello", "PATH=/usr/bin:/bin"},
		Dir:     dir,
		DirMode: 0o750,
	})
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Env != nil || cmd.Stdout != nil || cmd.Stderr != nil {
		t.Errorf("the running command still holds its environment %q or output files %v, %v", cmd.Env, cmd.Stdout, cmd.Stderr)
	}
	pid := cmd.Process.Pid
	pgid, pgErr := syscall.Getpgid(pid)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("program failed (HOME inherited?): %v", err)
	}
	if pgErr == nil && pgid != pid {
		t.Errorf("process group %d, want its own (%d)", pgid, pid)
	}
	out, err := os.ReadFile(filepath.Join(dir, StdoutName))
	if err != nil || strings.TrimSpace(string(out)) != "hello from "+dir {
		t.Errorf("stdout %q, %v; want %q", out, err, "hello from "+dir)
	}
	if errOut, _ := os.ReadFile(filepath.Join(dir, StderrName)); strings.TrimSpace(string(errOut)) != "oops" {
		t.Errorf("stderr %q, want oops", errOut)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o750 {
		t.Errorf("folder mode %v, %v; want 0750", st.Mode().Perm(), err)
	}
}

// A folder that already exists is refused before anything runs: its
// contents might be another program's, or a planted symlink.
func TestStartRefusesAnExistingFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	_, err := Start(Spec{Argv: []string{"/bin/sh", "-c", "touch " + marker}, Dir: dir, DirMode: 0o755})
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Start in an existing folder: %v, want an exists error", err)
	}
	if _, err := os.Stat(marker); !os.IsNotExist(err) {
		t.Errorf("the program ran anyway: %v", err)
	}
}

func TestStartNamesTheProblem(t *testing.T) {
	t.Parallel()
	if _, err := Start(Spec{Dir: filepath.Join(t.TempDir(), "x")}); err == nil || !strings.Contains(err.Error(), "no program") {
		t.Errorf("no argv: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "y")
	_, err := Start(Spec{Argv: []string{"/no/such/program"}, Dir: dir, DirMode: 0o755})
	if err == nil || !strings.Contains(err.Error(), "/no/such/program") {
		t.Errorf("missing program: %v", err)
	}
}
