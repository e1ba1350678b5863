package procgroup

import (
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func TestSignalStopsTheWholeGroup(t *testing.T) {
	// sh forks a sleep; both are in the new group led by sh.
	cmd := exec.Command("/bin/sh", "-c", "sleep 60 & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = Signal(pgid, syscall.SIGKILL); <-done })
	if !Alive(pgid) {
		t.Fatal("a running group reported dead")
	}
	if err := Signal(pgid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !WaitGone(pgid, done, 10*time.Second) {
		t.Fatal("group still alive after SIGKILL")
	}
	if err := Signal(pgid, syscall.SIGTERM); err != nil {
		t.Errorf("signalling a gone group: %v", err)
	}
	if Signal(1, syscall.SIGKILL) != nil || Alive(0) || Alive(1) {
		t.Error("pgid <= 1 must be refused")
	}
}

func TestParseStat(t *testing.T) {
	st, pgrp, ok := ParseStat([]byte("42 (a (weird) name) S 1 4242 4242 0 -1"))
	if !ok || st != 'S' || pgrp != 4242 {
		t.Errorf("got %c %d %v", st, pgrp, ok)
	}
	if _, _, ok := ParseStat([]byte("garbage")); ok {
		t.Error("garbage parsed")
	}
}
