package kubernetes

import (
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"
)

// process is one child process of the test: `waiter serve` or
// `waiter-sim marathon`.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *output
	done chan struct{} // closed once the process has exited and been reaped
	exit int           // its exit code (-1: killed by a signal); set before done closes
}

// startProcess runs args in a process group of its own, so that a
// clean-up can kill the process and anything it forked in one go. (The
// simulated Marathon starts its tasks in groups of their own: those are
// found through /proc, see procfs_test.go.) Should the test binary die
// without cleaning up (a -timeout panic), the kernel sends the process
// SIGTERM, which both programs answer with their orderly shutdown.
func startProcess(name string, args ...string) (*process, error) {
	cmd := exec.Command(args[0], args[1:]...)
	out := newOutput()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	// Wait must not hang on a grandchild that kept the output pipe open.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, out: out, done: make(chan struct{})}
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

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and waits up to timeout for the process to exit,
// returning its exit code. A process that outlives the timeout has its
// whole group killed, and stop says so. Stopping a process that has
// already ended only returns its code.
func (p *process) stop(timeout time.Duration) (int, error) {
	if p.exited() {
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
	p.kill()
	return p.exit, fmt.Errorf("%s did not exit within %s of SIGTERM; killed after SIGQUIT; its output's end:\n%s",
		p.name, timeout, p.out.tail(300))
}

// kill sends SIGKILL to the process group and waits for the process.
func (p *process) kill() {
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second): // reaped by then unless the kernel is wedged
	}
}
