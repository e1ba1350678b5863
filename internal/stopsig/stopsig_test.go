//go:build linux

package stopsig

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
)

// TestSignalsStayCaughtAfterCancel: once the signal context is
// cancelled (Run returning), a SIGTERM must not kill the process, which
// is on its way to exit 0. The check runs in a child process (this test
// binary again), which sends SIGTERM to its own thread: the kernel runs
// the handler before that call returns, so a child still alive after it
// survived the signal. With signal.NotifyContext's stop, the child dies
// of the signal.
func TestSignalsStayCaughtAfterCancel(t *testing.T) {
	if os.Getenv("WAITER_TEST_SIGNALS_CHILD") == "1" {
		ctx, cancel := Context()
		runtime.LockOSThread()
		if err := syscall.Tgkill(os.Getpid(), syscall.Gettid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		<-ctx.Done() // the first SIGTERM ends the context
		cancel()
		if err := syscall.Tgkill(os.Getpid(), syscall.Gettid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		return // alive: the second SIGTERM did not kill the process
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSignalsStayCaughtAfterCancel$", "-test.count=1")
	cmd.Env = append(os.Environ(), "WAITER_TEST_SIGNALS_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the child, sent SIGTERM after its signal context was cancelled: %v (exit %d)\n%s", err, cmd.ProcessState.ExitCode(), out)
	}
}
