package shell

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// procStat is what this package reads from /proc/<pid>/stat (proc(5)).
type procStat struct {
	pid   int
	state byte
	pgrp  int
	// startTicks is the start time in clock ticks since boot. With the
	// pid and the boot id it names a process for good: pids are reused,
	// (pid, start time) pairs are not.
	startTicks uint64
	rssPages   int64
}

// dead reports a zombie: it has exited and holds no memory or sockets, but
// stays listed until its parent reaps it, which for orphans may be never
// when PID 1 does not reap (some container inits).
func (p procStat) dead() bool { return p.state == 'Z' || p.state == 'X' || p.state == 'x' }

func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	return parseStat(pid, b)
}

func parseStat(pid int, b []byte) (procStat, error) {
	// Field 2, the command, may hold spaces and parentheses; the fixed
	// fields start after its last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("shell: /proc/%d/stat: no command field", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 22 || f[0] == "" {
		return procStat{}, fmt.Errorf("shell: /proc/%d/stat: %d fields", pid, len(f)+2)
	}
	st := procStat{pid: pid, state: f[0][0]}
	var err error
	if st.pgrp, err = strconv.Atoi(f[2]); err != nil {
		return procStat{}, fmt.Errorf("shell: /proc/%d/stat: pgrp: %w", pid, err)
	}
	if st.startTicks, err = strconv.ParseUint(f[19], 10, 64); err != nil {
		return procStat{}, fmt.Errorf("shell: /proc/%d/stat: starttime: %w", pid, err)
	}
	if st.rssPages, err = strconv.ParseInt(f[21], 10, 64); err != nil {
		return procStat{}, fmt.Errorf("shell: /proc/%d/stat: rss: %w", pid, err)
	}
	return st, nil
}

// scanProcs reads every process's stat; processes that vanish while it
// reads are skipped.
func scanProcs() ([]procStat, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	names, err := d.Readdirnames(-1)
	_ = d.Close()
	if err != nil {
		return nil, fmt.Errorf("shell: list /proc: %w", err)
	}
	out := make([]procStat, 0, len(names))
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		if st, err := readStat(pid); err == nil {
			out = append(out, st)
		}
	}
	return out, nil
}

// hasEnv reports whether process pid started with the variable kv
// ("NAME=value") in its environment.
func hasEnv(pid int, kv string) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	for _, e := range bytes.Split(b, []byte{0}) {
		if string(e) == kv {
			return true
		}
	}
	return false
}

// readBootID names this boot of the machine, so that a record written
// before a reboot never matches a process after it.
func readBootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
