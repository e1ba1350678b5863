package procs

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Every task is the leader of its own process group (pgid = pid), so
// what it forks stops with it: signals go to the whole group.

// signalGroup sends sig to every process of group pgid; a group that is
// gone already is not an error.
func signalGroup(pgid int, sig syscall.Signal) error {
	if pgid <= 1 {
		return nil // never our own group, never every process
	}
	if err := syscall.Kill(-pgid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// groupAlive reports whether group pgid has a live (non-zombie) process.
// kill(2) also succeeds for a group of zombies, which hold nothing, so
// /proc settles that case.
func groupAlive(pgid int) bool {
	if pgid <= 1 {
		return false
	}
	err := syscall.Kill(-pgid, 0)
	if errors.Is(err, syscall.ESRCH) || errors.Is(err, syscall.EPERM) {
		return false
	}
	d, err := os.Open("/proc")
	if err != nil {
		return true // cannot tell zombies apart: trust kill(2)
	}
	names, _ := d.Readdirnames(-1)
	_ = d.Close()
	for _, n := range names {
		if _, err := strconv.Atoi(n); err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + n + "/stat")
		if err != nil {
			continue
		}
		state, pgrp, ok := parseStat(b)
		if ok && pgrp == pgid && state != 'Z' && state != 'X' && state != 'x' {
			return true
		}
	}
	return false
}

// parseStat reads the state and process group from /proc/<pid>/stat. The
// command (field 2) may hold spaces and parentheses, so fields are
// counted from its last ')'.
func parseStat(b []byte) (state byte, pgrp int, ok bool) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 3 || f[0] == "" {
		return 0, 0, false
	}
	pgrp, err := strconv.Atoi(f[2])
	if err != nil {
		return 0, 0, false
	}
	return f[0][0], pgrp, true
}

// waitGroupGone waits until group pgid has no live process, for at most
// timeout; leaderDone closes when the leader has been reaped. It reports
// whether the group is gone.
func waitGroupGone(pgid int, leaderDone <-chan struct{}, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-leaderDone:
	case <-t.C:
		return !groupAlive(pgid)
	}
	// Stragglers usually die with the leader; poll briefly for them.
	delay := time.Millisecond
	for groupAlive(pgid) {
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		time.Sleep(min(delay, left))
		delay = min(2*delay, 50*time.Millisecond)
	}
	return true
}
