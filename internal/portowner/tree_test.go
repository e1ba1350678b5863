package portowner

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// listenerGroup starts `sh -c script` as the leader of a new process
// group, where script runs this test binary as a listener (its stdin is
// fd 3 of the shell, its stdout the shell's), and returns the group's id,
// the listener's socket inode, and a function that waits for the shell.
func listenerGroup(t *testing.T, script string) (pgid int, inode uint64, waitShell func()) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", strings.ReplaceAll(script, "BIN", os.Args[0]))
	cmd.Env = append(os.Environ(), envListen+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.ExtraFiles = []*os.File{r}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = r.Close()
	pgid = cmd.Process.Pid
	t.Cleanup(func() {
		_ = w.Close() // the listener exits on EOF
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the listener said nothing: %v", err)
	}
	port, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return pgid, onlyListener(t, port).Inode, func() { _ = cmd.Wait() }
}

// A server the group's leader started (not exec'd) is found among the
// leader's descendants, without the search of every process.
func TestTreeFindsTheLeadersChild(t *testing.T) {
	pgid, inode, _ := listenerGroup(t, "BIN <&3; true")
	if !treeHolds(pgid, inode) {
		t.Fatal("treeHolds: the leader's child holds the socket, not found")
	}
	if held, err := GroupHolds(pgid, inode); err != nil || !held {
		t.Fatalf("GroupHolds = %v, %v; want true", held, err)
	}
	if held, err := GroupHolds(syscall.Getpgrp(), inode); err != nil || held {
		t.Fatalf("GroupHolds(our group) = %v, %v for another group's socket; want false", held, err)
	}
}

// A member whose leader exited is no one's descendant: the tree search
// misses it and the search of every process still finds it.
func TestGroupHoldsFindsAnOrphanedMember(t *testing.T) {
	pgid, inode, waitShell := listenerGroup(t, "BIN <&3 &")
	waitShell() // the leader exits at once; the listener lives on
	if treeHolds(pgid, inode) {
		t.Fatal("treeHolds found a member of a group whose leader is gone")
	}
	if held, err := GroupHolds(pgid, inode); err != nil || !held {
		t.Fatalf("GroupHolds = %v, %v; want true for the orphaned member", held, err)
	}
}
