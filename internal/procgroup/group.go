package procgroup

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Signal sends sig to every process of group pgid. A group that is gone
// already is not an error.
func Signal(pgid int, sig syscall.Signal) error {
	if pgid <= 1 {
		return nil // never our own group, never every process
	}
	if err := syscall.Kill(-pgid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}

// Alive reports whether group pgid still has a live (non-zombie) process.
// kill(2) also succeeds for a group of zombies, which hold nothing, so
// /proc settles that case.
func Alive(pgid int) bool {
	if pgid <= 1 {
		return false
	}
	err := syscall.Kill(-pgid, 0)
	if errors.Is(err, syscall.ESRCH) || errors.Is(err, syscall.EPERM) {
		// EPERM: only other users' processes carry this pgid now; not ours.
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
		state, pgrp, ok := ParseStat(b)
		if ok && pgrp == pgid && state != 'Z' && state != 'X' && state != 'x' {
			return true
		}
	}
	return false
}

// ParseStat reads the state and process group from /proc/<pid>/stat. The
// command name is in parentheses and may hold spaces, so fields are
// counted after the last ')'.
func ParseStat(b []byte) (state byte, pgrp int, ok bool) {
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

// WaitGone waits until group pgid has no live process, for at most
// timeout. leaderDone, when closed, says the leader has been reaped;
// until then there is no point polling /proc. It reports whether the
// group is gone.
func WaitGone(pgid int, leaderDone <-chan struct{}, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-leaderDone:
	case <-t.C:
		return !Alive(pgid)
	}
	// The rest of the group usually dies with the leader; poll briefly
	// for stragglers (orphans finishing their exit, slow signal delivery).
	delay := time.Millisecond
	for Alive(pgid) {
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		time.Sleep(min(delay, left))
		delay = min(2*delay, 50*time.Millisecond)
	}
	return true
}
