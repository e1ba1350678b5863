// Package procs runs the tasks of the fake Marathon (internal/fakemarathon)
// as real processes on this machine: a one-machine Mesos. It implements
// marathon.Runtime, so the model decides when tasks start, are health
// checked and stop, while this package does it for real:
//
//   - Start runs the app's cmd under /bin/sh -c (or its args directly)
//     as the leader of a new process group, in a sandbox folder
//     <WorkDir>/<task id>/ that holds its stdout and stderr, with ports
//     PORT0.. reserved from Config.PortRange (only ports nothing else
//     listens on) and Mesos's and Marathon's environment: the app's env,
//     PORT0.., PORT, PORTS, HOST, MESOS_SANDBOX, MESOS_TASK_ID,
//     MARATHON_APP_ID, MARATHON_APP_VERSION (process.go; the start and the
//     port pool are internal/localproc's, shared with adapters/shell).
//   - Stop sends SIGTERM to the group and SIGKILL after the app's
//     taskKillGracePeriodSeconds (3 s, Mesos's default, when unset), and
//     releases the ports once no process of the group is left
//     (process.go, internal/procgroup).
//   - Check runs one Marathon health check (HTTP, HTTPS, TCP and their
//     MESOS_ variants) against the task's port on the app's path: a
//     status of 200-399 within timeoutSeconds passes (probe.go).
//   - A program that exits by itself is reported as "Command exited with
//     status N" (or "Command terminated with signal S").
//
// The app's user is ignored (every task runs as this process's user), and
// so are containers, memory limits and the agent's other resources.
//
// Results go to a Sink, from the runtime's own goroutines and never from
// inside a Runtime method, because the model's owner holds its lock while
// it calls them. Close stops every process, waits for every goroutine and
// removes the work folder when the runtime made it.
//
// The model runs under one lock, so nothing here blocks: launches fork
// and return; waits, signals and probes happen on goroutines. Linux only
// (process groups and /proc), like adapters/shell; what both need is in
// internal/, never repeated here.
package procs
