package childproc

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/internal/procgroup"
)

// Process is one child process of the test.
type Process struct {
	Name string
	// Out is what it has written to stdout and stderr.
	Out  *Output
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited and been reaped
	exit int           // its exit code (-1: killed by a signal); set before done closes
}

// Start runs args in a process group of its own, so that a clean-up can
// kill the process and anything it forked in one go. (Processes that
// start groups of their own, as the simulated Marathon's tasks and the
// fake kubelet's pods do, are the suites' to find.) Should the test
// binary die without cleaning up (a -timeout panic), the kernel sends the
// process SIGTERM, which Waiter's programs answer with their orderly
// shutdown.
func Start(name string, args ...string) (*Process, error) {
	cmd := exec.Command(args[0], args[1:]...)
	out := newOutput()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = procgroup.OwnGroupDyingWithUs(syscall.SIGTERM)
	// Wait must not hang on a grandchild that kept the output pipe open.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{Name: name, Out: out, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.exit = exitCode(cmd.Wait())
		close(p.done)
	}()
	return p, nil
}

func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}

// Done is closed once the process has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM and waits up to timeout for the process to exit,
// returning its exit code. A process that outlives the timeout has its
// whole group killed, and stop says so. Stopping a process that has
// already ended only returns its code.
func (p *Process) Stop(timeout time.Duration) (int, error) {
	if p.Exited() {
		return p.exit, nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return p.exit, nil
	case <-t.C:
	}
	// SIGQUIT makes a Go process print every goroutine's stack before it
	// exits: where the shutdown hung, for the error.
	_ = p.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
	}
	p.Kill()
	return p.exit, fmt.Errorf("%s did not exit within %s of SIGTERM; killed after SIGQUIT; its output's end:\n%s",
		p.Name, timeout, p.Out.Tail(300))
}

// Kill sends SIGKILL to the process group and waits for the process.
func (p *Process) Kill() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second): // reaped by then unless the kernel is wedged
	}
}
