package localproc

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Every watched child's exit reaches its callback, with the child's own
// status, whether it exits before or after Watch is called.
func TestExitsReportsEveryExit(t *testing.T) {
	t.Parallel()
	x, err := NewExits()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	const n = 20
	type result struct {
		i   int
		err error
	}
	got := make(chan result, n)
	dir := t.TempDir()
	for i := range n {
		// Odd ones exit at once (likely before Watch), even ones later.
		script := "exit " + strconv.Itoa(i)
		if i%2 == 0 {
			script = "sleep 0.2; " + script
		}
		cmd, err := Start(Spec{Argv: []string{"/bin/sh", "-c", script}, Dir: filepath.Join(dir, strconv.Itoa(i)), DirMode: 0o755})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			time.Sleep(time.Millisecond)
		}
		x.Watch(cmd.Process.Pid, func() { got <- result{i, cmd.Wait()} })
	}
	seen := map[int]bool{}
	for range n {
		select {
		case r := <-got:
			var exit *exec.ExitError
			code := 0
			if errors.As(r.err, &exit) {
				code = exit.ExitCode()
			} else if r.err != nil {
				t.Fatalf("child %d: %v", r.i, r.err)
			}
			if code != r.i || seen[r.i] {
				t.Fatalf("child %d: exit code %d (seen before: %v)", r.i, code, seen[r.i])
			}
			seen[r.i] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d exits reported within 10s", len(seen), n)
		}
	}
}

// Watched children cost no goroutine each while they run (the point of
// Exits); their exits are reported when they end. Not parallel: it
// counts the process's goroutines.
func TestExitsHoldsNoGoroutinePerChild(t *testing.T) {
	x, err := NewExits()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	const n = 40
	before := runtime.NumGoroutine()
	done := make(chan error, n)
	cmds := startSleepers(t, n)
	for _, cmd := range cmds {
		x.Watch(cmd.Process.Pid, func() { done <- cmd.Wait() })
	}
	if extra := runtime.NumGoroutine() - before; extra > 2 {
		t.Errorf("%d goroutines more while %d watched children run, want none per child", extra, n)
	}
	terminateAndAwait(t, cmds, done)
}

// After Close, a watch falls back to its callback's own wait: the exit
// is still reported, never lost.
func TestExitsAfterCloseStillReports(t *testing.T) {
	t.Parallel()
	x, err := NewExits()
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	cmd, err := Start(Spec{Argv: []string{"/bin/sh", "-c", "sleep 0.1; exit 7"}, Dir: filepath.Join(t.TempDir(), "p"), DirMode: 0o755})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	x.Watch(cmd.Process.Pid, func() { done <- cmd.Wait() })
	select {
	case err := <-done:
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 7 {
			t.Fatalf("Wait: %v, want exit status 7", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the exit was not reported")
	}
}

// A process that is not this one's child (an adopted instance's leader)
// is watched through its pidfd: its exit is reported; a pid that no
// longer names the process meant is reported at once; after Close the
// caller is told to poll.
func TestExitsWatchesAProcessNotItsChild(t *testing.T) {
	t.Parallel()
	x, err := NewExits()
	if err != nil {
		t.Fatal(err)
	}
	// sh starts sleep in the background and exits: sleep is then init's.
	out, err := exec.Command("/bin/sh", "-c", "/bin/sleep 60 >/dev/null 2>&1 & echo $!").Output()
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("pid %q: %v", out, err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	exited := make(chan struct{})
	if !x.WatchProcess(pid, func() bool { return true }, func() { close(exited) }) {
		t.Fatal("WatchProcess could not watch a live process")
	}
	select {
	case <-exited:
		t.Fatal("reported before the process ended")
	case <-time.After(50 * time.Millisecond):
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the process's end was not reported within 10s")
	}

	notOurs := make(chan struct{})
	if !x.WatchProcess(os.Getpid(), func() bool { return false }, func() { close(notOurs) }) {
		t.Fatal("WatchProcess refused a pid that is not the process meant")
	}
	select {
	case <-notOurs:
	case <-time.After(10 * time.Second):
		t.Fatal("a pid naming another process was not reported at once")
	}

	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if x.WatchProcess(os.Getpid(), func() bool { return true }, func() { t.Error("called after Close") }) {
		t.Error("WatchProcess after Close claimed to watch")
	}
}
