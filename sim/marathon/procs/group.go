package procs

import (
	"syscall"
	"time"

	"github.com/waiter-go/waiter/internal/procgroup"
)

// Every task is the leader of its own process group (pgid = pid), so what
// it forks stops with it: signals go to the whole group
// (internal/procgroup, shared with the shell scheduler).

func signalGroup(pgid int, sig syscall.Signal) error { return procgroup.Signal(pgid, sig) }

func groupAlive(pgid int) bool { return procgroup.Alive(pgid) }

func waitGroupGone(pgid int, leaderDone <-chan struct{}, timeout time.Duration) bool {
	return procgroup.WaitGone(pgid, leaderDone, timeout)
}
