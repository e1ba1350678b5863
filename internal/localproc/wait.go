package localproc

import "os/exec"

// Wait waits for cmd's process to exit and reaps it, as cmd.Wait does,
// but without holding an OS thread while it waits where the system lets
// it (awaitExit). os/exec's Wait blocks in waitid(2) for the process's
// whole life, and a blocked system call holds a thread: a router running
// 500 instances had 500 more threads, each with about 40 KB of the Go
// runtime's stacks besides its own.
func Wait(cmd *exec.Cmd) error {
	awaitExit(cmd.Process.Pid)
	return cmd.Wait()
}
