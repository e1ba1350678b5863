// Package localproc starts programs as local process groups and hands out
// the local ports they listen on. It is the one copy of what both
// schedulers that run real processes on this machine need: the shell
// scheduler (adapters/shell, instances of `waiter serve`) and the fake
// Marathon's task runtime (internal/fakemarathon/tasks, the tasks of
// `waiter-sim marathon`).
//
// It owns:
//
//   - Start (start.go): a program in a fresh working folder, as the leader
//     of its own process group, with its stdout and stderr appended to
//     files in that folder and, when a credential is given, as another
//     account that is given the folder and the files first;
//   - PortPool (ports.go): ports from an inclusive range, handed out
//     round-robin, only ones nothing listens on, each resting for a while
//     after release so a request still aimed at a dead process cannot
//     reach its successor;
//   - Wait (wait.go): a started leader's exit, waited for on the runtime's
//     poller (a pidfd on Linux), not in a system call that holds a thread
//     for the process's life;
//   - Exits (exits_linux.go): many leaders' exits, waited for on one
//     goroutine (their pidfds in one epoll set, on the runtime's poller),
//     so that a scheduler running a thousand instances keeps no goroutine
//     per instance for it.
//
// What a process is for (its command, environment, health, when it stops)
// is the caller's: this package does not signal what it started. Linux
// and other Unix systems only (process groups, setuid).
package localproc
