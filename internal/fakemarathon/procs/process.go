package procs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/waiter-go/waiter/internal/localproc"
	"github.com/waiter-go/waiter/internal/procgroup"
	"github.com/waiter-go/waiter/sim/marathon"
)

// proc is one task's process group.
type proc struct {
	taskID string
	ref    marathon.TaskRef
	pid    int // the leader's pid, which is also the group id
	ports  []int
	grace  time.Duration
	cmd    *exec.Cmd
	// stopping is set once the task stops (asked to, or by exiting);
	// guarded by Runtime.mu.
	stopping   bool
	leaderDone chan struct{} // the leader was reaped
	done       chan struct{} // the group is gone and the ports released
}

// launch starts t's program in its sandbox. r.mu held.
func (r *Runtime) launch(a *marathon.App, t *marathon.Task, ports []int) (*proc, error) {
	prog := a.Spec.Program
	var argv []string
	switch {
	case strings.TrimSpace(prog.Cmd) != "":
		argv = []string{"/bin/sh", "-c", prog.Cmd}
	case len(prog.Args) > 0:
		argv = prog.Args
	default:
		return nil, fmt.Errorf("app %s has neither cmd nor args", a.Spec.ID)
	}
	dir := filepath.Join(r.cfg.WorkDir, t.ID)
	// A task id may hold slashes (an app in a group): its parents first.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	cmd, err := localproc.Start(localproc.Spec{Argv: argv, Env: environment(a, t, dir, ports), Dir: dir, DirMode: 0o755})
	if err != nil {
		return nil, err
	}
	grace := r.cfg.KillGrace
	if prog.KillGracePeriod > 0 {
		grace = prog.KillGracePeriod
	}
	return &proc{taskID: t.ID, ref: t.Ref(), pid: cmd.Process.Pid, ports: ports, grace: grace, cmd: cmd,
		leaderDone: make(chan struct{}), done: make(chan struct{})}, nil
}

// environment is what Mesos and Marathon give a command task: the app's
// env, then PORT0.., PORT, PORTS, HOST, MESOS_SANDBOX, MESOS_TASK_ID,
// MARATHON_APP_ID and MARATHON_APP_VERSION, plus this process's PATH so
// the command finds its programs, and HOME (the sandbox) unless the app
// sets one. Sorted, so a launch is reproducible.
func environment(a *marathon.App, t *marathon.Task, dir string, ports []int) []string {
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": dir}
	if env["PATH"] == "" {
		env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
	}
	for k, v := range a.Spec.Program.Env {
		env[k] = v
	}
	ps := make([]string, len(ports))
	for i, p := range ports {
		ps[i] = strconv.Itoa(p)
		env["PORT"+strconv.Itoa(i)] = ps[i]
	}
	env["PORT"] = ps[0]
	env["PORTS"] = strings.Join(ps, ",")
	env["HOST"] = t.Host
	env["MESOS_SANDBOX"] = dir
	env["MESOS_TASK_ID"] = t.ID
	env["MARATHON_APP_ID"] = "/" + a.Spec.ID
	env["MARATHON_APP_VERSION"] = a.Spec.Version
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// wait reaps p's leader. An exit nobody asked for fails the task: the
// rest of the group is killed and the sink told how the command ended.
func (r *Runtime) wait(p *proc) {
	_ = localproc.Wait(p.cmd)
	close(p.leaderDone)
	r.mu.Lock()
	asked := p.stopping
	if !asked {
		p.stopping = true
		delete(r.procs, p.taskID)
	}
	r.mu.Unlock()
	if asked {
		return // terminate finishes it
	}
	f := exitFailure(p.cmd.ProcessState)
	r.log.Info("procs: task exited", "task", p.taskID, "message", f.Message)
	r.sink.ProgramEnded(p.ref, f)
	_ = procgroup.Signal(p.pid, syscall.SIGKILL) // what it forked goes with it
	procgroup.WaitGone(p.pid, p.leaderDone, killWait)
	r.finish(p)
}

// exitFailure is how Mesos words a command's end.
func exitFailure(ps *os.ProcessState) marathon.Failure {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		name := []rune(ws.Signal().String())
		name[0] = unicode.ToUpper(name[0])
		return marathon.ExitFailure(0, int(ws.Signal()), string(name))
	}
	return marathon.ExitFailure(ps.ExitCode(), 0, "")
}

// beginStop takes p out of service and terminates its group in the
// background. r.mu held.
func (r *Runtime) beginStop(p *proc) {
	if p.stopping {
		return
	}
	p.stopping = true
	delete(r.procs, p.taskID)
	r.spawn(func() { r.terminate(p) })
}

// terminate sends SIGTERM, waits for the grace, then sends SIGKILL.
func (r *Runtime) terminate(p *proc) {
	if err := procgroup.Signal(p.pid, syscall.SIGTERM); err != nil {
		r.log.Error("procs: SIGTERM", "task", p.taskID, "pgid", p.pid, "err", err)
	}
	if !procgroup.WaitGone(p.pid, p.leaderDone, p.grace) {
		if err := procgroup.Signal(p.pid, syscall.SIGKILL); err != nil {
			r.log.Error("procs: SIGKILL", "task", p.taskID, "pgid", p.pid, "err", err)
		}
		if !procgroup.WaitGone(p.pid, p.leaderDone, killWait) {
			r.log.Error("procs: process group survived SIGKILL", "task", p.taskID, "pgid", p.pid)
		}
	}
	<-p.leaderDone // wait has reaped the leader: its pid is free for reuse only now
	r.log.Info("procs: task stopped", "task", p.taskID)
	r.finish(p)
}

// finish releases what a stopped task held once its group is gone.
func (r *Runtime) finish(p *proc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ports.Release(p.ports)
	delete(r.live, p)
	close(p.done)
}
