package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	// A command with a space and a parenthesis: the fields count from
	// the last ')'.
	line := "4242 (a b) c) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 30 0 0 20 0 1 0 1 1 1\n"
	st, ok := parseProcStat(line)
	if !ok {
		t.Fatal("not parsed")
	}
	if st.pid != 4242 || st.ppid != 17 || st.pgrp != 4242 || st.comm != "a b) c" || st.cpu != 280*clockTick || st.sys != 30*clockTick {
		t.Fatalf("got %+v", st)
	}
	for _, bad := range []string{"", "4242 no parens", "x (c) S 1 2 3", "4242 (c) S 1 2"} {
		if _, ok := parseProcStat(bad); ok {
			t.Errorf("parsed %q", bad)
		}
	}
}

func TestBystandersLeaveOutTheBenchmarkAndKernelThreads(t *testing.T) {
	const self = 100
	before := procSnapshot{
		1:   {pid: 1, ppid: 0, comm: "init", cpu: time.Second},
		2:   {pid: 2, ppid: 0, comm: "kthreadd", cpu: time.Second},
		3:   {pid: 3, ppid: 2, comm: "ksoftirqd/0", cpu: time.Second},
		100: {pid: 100, ppid: 1, comm: "proxybench", cpu: time.Second},
		101: {pid: 101, ppid: 100, comm: "waiter", cpu: time.Second},
		200: {pid: 200, ppid: 1, comm: "waiter-sim", cpu: time.Second},
		300: {pid: 300, ppid: 1, comm: "idle", cpu: time.Second},
	}
	after := procSnapshot{
		1:   {pid: 1, ppid: 0, comm: "init", cpu: time.Second},
		2:   {pid: 2, ppid: 0, comm: "kthreadd", cpu: 2 * time.Second},
		3:   {pid: 3, ppid: 2, comm: "ksoftirqd/0", cpu: 3 * time.Second},
		100: {pid: 100, ppid: 1, comm: "proxybench", cpu: 2 * time.Second},
		101: {pid: 101, ppid: 100, comm: "waiter", cpu: 5 * time.Second},
		102: {pid: 102, ppid: 101, comm: "kitchen", cpu: 4 * time.Second}, // the service waiter started
		200: {pid: 200, ppid: 1, comm: "waiter-sim", cpu: 4 * time.Second},
		300: {pid: 300, ppid: 1, comm: "idle", cpu: time.Second},
		400: {pid: 400, ppid: 1, comm: "go", cpu: 500 * time.Millisecond}, // started since
	}
	bs := bystanders(before, after, self)
	var got []string
	for _, b := range bs {
		got = append(got, b.comm+"="+b.used.String())
	}
	if strings.Join(got, " ") != "waiter-sim=3s go=500ms" {
		t.Fatalf("bystanders %v", got)
	}
	msg := disturbance(bs, 4*time.Second)
	if !strings.Contains(msg, "88% of a CPU") || !strings.Contains(msg, "waiter-sim (pid 200) 75%") || !strings.Contains(msg, "go (pid 400) 12%") {
		t.Fatalf("disturbance %q", msg)
	}
	if msg := disturbance(bs, time.Hour); msg != "" {
		t.Fatalf("3.5 s in an hour is under the limit, got %q", msg)
	}
}

// TestSnapshotCountsOurChildAsOurs reads the live /proc: a child of this
// process (wrk, a kitchen, a proxy under test) is in the snapshot under
// its parent, and is never a bystander.
func TestSnapshotCountsOurChildAsOurs(t *testing.T) {
	cmd := exec.Command("cat")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close() // cat ends at EOF
		_ = cmd.Wait()
	}()
	pid := cmd.Process.Pid
	snap := snapshotProcs()
	st, ok := snap[pid]
	if !ok || st.ppid != os.Getpid() {
		t.Fatalf("the child %d is not in the snapshot under us (%d): %+v", pid, os.Getpid(), st)
	}
	// All of its CPU counts as used since an empty snapshot.
	snap[pid] = procStat{pid: pid, ppid: st.ppid, comm: st.comm, cpu: time.Second}
	for _, b := range bystanders(procSnapshot{}, snap, os.Getpid()) {
		if b.pid == pid || b.pid == os.Getpid() {
			t.Fatalf("%d counted as a bystander: %+v", b.pid, b)
		}
	}
}
