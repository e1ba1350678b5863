package shell

import (
	"errors"
	"syscall"
	"time"
)

// Every instance is the leader of its own process group (pgid = pid of
// /bin/sh), so the services it forks are stopped with it: signals go to
// the whole group.

// signalGroup sends sig to every process of group pgid. A group that is
// already gone is not an error.
func signalGroup(pgid int, sig syscall.Signal) error {
	if pgid <= 1 {
		return nil // never signal our own group or every process
	}
	if err := syscall.Kill(-pgid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// groupAlive reports whether group pgid still has a live (non-zombie)
// process. kill(2) also succeeds for a group of zombies; those hold
// nothing, so /proc settles that case.
func groupAlive(pgid int) bool {
	if pgid <= 1 {
		return false
	}
	err := syscall.Kill(-pgid, 0)
	if errors.Is(err, syscall.ESRCH) || errors.Is(err, syscall.EPERM) {
		// EPERM: only other users' processes carry this pgid now; not ours.
		return false
	}
	procs, scanErr := scanProcs()
	if scanErr != nil {
		return true // cannot tell zombies apart: trust kill(2)
	}
	for _, p := range procs {
		if p.pgrp == pgid && !p.dead() {
			return true
		}
	}
	return false
}

// waitGroupGone waits until group pgid has no live process, for at most
// timeout. leaderDone, when closed, says the leader has exited; until then
// there is no point polling /proc. It reports whether the group is gone.
func waitGroupGone(pgid int, leaderDone <-chan struct{}, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-leaderDone:
	case <-t.C:
		return !groupAlive(pgid)
	}
	// The rest of the group usually dies with the leader; poll briefly
	// for stragglers (orphans finishing their exit, slow signal delivery).
	delay := time.Millisecond
	for {
		if !groupAlive(pgid) {
			return true
		}
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		time.Sleep(min(delay, left))
		delay = min(2*delay, 50*time.Millisecond)
	}
}
