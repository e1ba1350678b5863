package localproc

import (
	"errors"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Wait reaps the process and reports its exit as cmd.Wait does.
func TestWaitReportsTheExit(t *testing.T) {
	t.Parallel()
	cmd, err := Start(Spec{Argv: []string{"/bin/sh", "-c", "exit 3"}, Dir: filepath.Join(t.TempDir(), "p"), DirMode: 0o755})
	if err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := Wait(cmd); !errors.As(err, &exit) || exit.ExitCode() != 3 || cmd.ProcessState == nil {
		t.Fatalf("Wait: %v, want exit status 3 and the ProcessState set", err)
	}
}

// Processes being waited for hold no thread each: their waits are parked
// on the runtime's poller ("IO wait"), not in a system call ("syscall"),
// which is where cmd.Wait keeps each for its process's life. They end
// when the processes do.
func TestWaitHoldsNoThread(t *testing.T) {
	const n = 40
	cmds := startSleepers(t, n)
	done := make(chan error, n)
	for _, cmd := range cmds {
		go func() { done <- Wait(cmd) }()
	}
	// Each waiting goroutine shows its state in a full dump: wait until all
	// n are parked, or fail on one that waits in a system call.
	deadline := time.Now().Add(10 * time.Second)
	for {
		parked, inSyscall := waitStates(t)
		if inSyscall > 0 {
			t.Fatalf("%d of %d waits are in a system call (a thread each)", inSyscall, n)
		}
		if parked == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d waits parked on the poller within 10s", parked, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	terminateAndAwait(t, cmds, done)
}

// startSleepers starts n processes that sleep for a minute, killed when
// the test ends.
func startSleepers(t *testing.T, n int) []*exec.Cmd {
	t.Helper()
	dir := t.TempDir()
	cmds := make([]*exec.Cmd, n)
	for i := range cmds {
		cmd, err := Start(Spec{Argv: []string{"/bin/sleep", "60"}, Dir: filepath.Join(dir, strconv.Itoa(i)), DirMode: 0o755})
		if err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
		t.Cleanup(func() { _ = cmd.Process.Kill() })
	}
	return cmds
}

// terminateAndAwait sends SIGTERM to every command and requires each of
// their waits (their results on done) to report it within 10 s.
func terminateAndAwait(t *testing.T, cmds []*exec.Cmd, done <-chan error) {
	t.Helper()
	for _, cmd := range cmds {
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}
	for range cmds {
		select {
		case err := <-done:
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
				t.Fatalf("Wait: %v, want the SIGTERM the process ended with", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a wait did not end within 10s of its process")
		}
	}
}

// waitStates counts the goroutines in Wait that are parked on the
// poller and those waiting in a system call. A goroutine still in
// awaitExit's own brief calls (opening the pidfd, polling it without
// waiting) shows as in a system call too, for a moment: it counts as
// neither, and the test looks again (a snapshot that caught one failed a
// CI run).
func waitStates(t *testing.T) (parked, inSyscall int) {
	var b strings.Builder
	if err := pprof.Lookup("goroutine").WriteTo(&b, 2); err != nil {
		t.Fatal(err)
	}
	for _, g := range strings.Split(b.String(), "\n\n") {
		if !strings.Contains(g, "localproc.Wait(") {
			continue
		}
		head, _, _ := strings.Cut(g, "\n")
		switch {
		case strings.Contains(head, "[IO wait"):
			parked++
		case strings.Contains(head, "[syscall") && !strings.Contains(g, "localproc.awaitExit("):
			inSyscall++
		}
	}
	return parked, inSyscall
}
