package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat
// (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// procStat is one process's line of /proc/<pid>/stat, the fields
// proxybench reads: a target's CPU (its process group) and the
// bystanders' (their parents).
type procStat struct {
	pid, ppid, pgrp int
	comm            string
	cpu             time.Duration // utime + stime so far
	sys             time.Duration // stime alone: the kernel's share of cpu
}

// parseProcStat reads a /proc/<pid>/stat line. The command is in
// parentheses and may itself hold spaces and parentheses, so the fields
// are counted from the last ')'.
func parseProcStat(line string) (procStat, bool) {
	open, end := strings.IndexByte(line, '('), strings.LastIndexByte(line, ')')
	if open < 0 || end < open {
		return procStat{}, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line[:open]))
	if err != nil {
		return procStat{}, false
	}
	f := strings.Fields(line[end+1:])
	// state ppid pgrp session tty tpgid flags minflt cminflt majflt
	// cmajflt utime stime ...
	if len(f) < 13 {
		return procStat{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	pgrp, err2 := strconv.Atoi(f[2])
	u, err3 := strconv.ParseInt(f[11], 10, 64)
	s, err4 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return procStat{}, false
	}
	return procStat{pid: pid, ppid: ppid, pgrp: pgrp, comm: line[open+1 : end], cpu: time.Duration(u+s) * clockTick, sys: time.Duration(s) * clockTick}, true
}

// procSnapshot is every process's stat at one moment, by pid.
type procSnapshot map[int]procStat

// snapshotProcs reads /proc; processes that end while it reads are
// left out.
func snapshotProcs() procSnapshot {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	snap := make(procSnapshot, len(stats))
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if st, ok := parseProcStat(string(b)); ok {
			snap[st.pid] = st
		}
	}
	return snap
}

// groupCPU is the CPU time (user + system) used so far by the live
// processes of process group pgid when s was taken, and the system
// (kernel) share of it: what the kernel spent on the group's system
// calls (a proxy's reads, writes and epoll waits), against the user time
// of its own code. A proxy's CPU per request, unlike its throughput,
// hardly depends on what else loads the machine.
func (s procSnapshot) groupCPU(pgid int) (cpu, sys time.Duration) {
	if pgid <= 0 {
		return 0, 0
	}
	for _, st := range s {
		if st.pgrp == pgid {
			cpu += st.cpu
			sys += st.sys
		}
	}
	return cpu, sys
}

// commCPU is the CPU time used so far by the live processes named comm
// when s was taken: "kitchen" for every backend at once (only the one
// under load moves between two snapshots).
func (s procSnapshot) commCPU(comm string) time.Duration {
	var cpu time.Duration
	for _, st := range s {
		if st.comm == comm {
			cpu += st.cpu
		}
	}
	return cpu
}
