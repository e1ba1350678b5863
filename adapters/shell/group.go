package shell

import (
	"syscall"
	"time"

	"github.com/waiter-go/waiter/internal/procgroup"
)

// Every instance is the leader of its own process group (pgid = pid of
// /bin/sh), so the services it forks are stopped with it: signals go to
// the whole group (internal/procgroup, shared with the simulated
// Marathon's real tasks).

func signalGroup(pgid int, sig syscall.Signal) error { return procgroup.Signal(pgid, sig) }

func groupAlive(pgid int) bool { return procgroup.Alive(pgid) }

func waitGroupGone(pgid int, leaderDone <-chan struct{}, timeout time.Duration) bool {
	return procgroup.WaitGone(pgid, leaderDone, timeout)
}
