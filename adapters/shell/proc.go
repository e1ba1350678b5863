package shell

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
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

// procReader reads processes' /proc/<pid>/stat files through one buffer
// it keeps, and parses them in place. The memory check reads every
// process's stat each second. Read with os.ReadFile and split with
// strings.Fields, that was 3.2 KB of garbage a process a second, most of
// what an idle router allocated (2.5 MB in 11 s on a machine of 67
// processes; a thousand services run a thousand), growing its heap until
// a collection. Now it is about 170 B, at half the CPU time
// (BenchmarkScanProcs).
// A procReader is not safe for concurrent use.
type procReader struct {
	buf   []byte
	path  []byte
	procs []procStat
}

// readStat reads process pid's stat once (for the callers that need one
// process now and then).
func readStat(pid int) (procStat, error) {
	var r procReader
	return r.stat(pid)
}

// stillRuns reports whether pid is still the process that started at
// startTicks (since boot) and has not exited: pids are reused, a pid and
// start time are not.
func stillRuns(pid int, startTicks uint64) bool {
	st, err := readStat(pid)
	return err == nil && !st.dead() && st.startTicks == startTicks
}

// scanProcs reads every process's stat once; see procReader.scan.
func scanProcs() ([]procStat, error) {
	var r procReader
	return r.scan()
}

// stat reads process pid's stat.
func (r *procReader) stat(pid int) (procStat, error) {
	r.path = strconv.AppendInt(append(r.path[:0], "/proc/"...), int64(pid), 10)
	r.path = append(r.path, "/stat"...)
	b, err := r.readFile(string(r.path))
	if err != nil {
		return procStat{}, err
	}
	return parseStat(pid, b)
}

// readFile reads the file at path into r.buf, growing it as needed,
// and returns its contents, valid until the next read.
func (r *procReader) readFile(path string) ([]byte, error) {
	fd, err := ignoringEINTR(func() (int, error) { return syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0) })
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	if r.buf == nil {
		r.buf = make([]byte, 1024) // a stat line is 300-400 bytes
	}
	n := 0
	for {
		if n == len(r.buf) {
			r.buf = append(r.buf, make([]byte, len(r.buf))...)
		}
		m, err := ignoringEINTR(func() (int, error) { return syscall.Read(fd, r.buf[n:]) })
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: path, Err: err}
		}
		if m == 0 {
			return r.buf[:n], nil
		}
		n += m
	}
}

// ignoringEINTR calls f again while it fails with EINTR, as package os
// does for its own system calls.
func ignoringEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// statFields is how many fields parseStat reads after the command:
// state (0) to rss (21).
const statFields = 22

func parseStat(pid int, b []byte) (procStat, error) {
	// Field 2, the command, may hold spaces and parentheses; the fixed
	// fields start after its last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("shell: /proc/%d/stat: no command field", pid)
	}
	// The fields as slices of b, not strings: parsing allocates nothing.
	var f [statFields][]byte
	n := 0
	for rest := b[i+1:]; n < statFields; n++ {
		rest = bytes.TrimLeft(rest, " \n")
		end := bytes.IndexAny(rest, " \n")
		if end < 0 {
			end = len(rest)
		}
		if end == 0 {
			break
		}
		f[n], rest = rest[:end], rest[end:]
	}
	if n < statFields {
		return procStat{}, fmt.Errorf("shell: /proc/%d/stat: %d fields", pid, n+2)
	}
	st := procStat{pid: pid, state: f[0][0]}
	var err error
	if st.pgrp, err = strconv.Atoi(string(f[2])); err != nil {
		return procStat{}, fmt.Errorf("shell: /proc/%d/stat: pgrp: %w", pid, err)
	}
	if st.startTicks, err = strconv.ParseUint(string(f[19]), 10, 64); err != nil {
		return procStat{}, fmt.Errorf("shell: /proc/%d/stat: starttime: %w", pid, err)
	}
	if st.rssPages, err = strconv.ParseInt(string(f[21]), 10, 64); err != nil {
		return procStat{}, fmt.Errorf("shell: /proc/%d/stat: rss: %w", pid, err)
	}
	return st, nil
}

// scan reads every process's stat; processes that vanish while it reads
// are skipped. The result is valid until the next scan.
func (r *procReader) scan() ([]procStat, error) {
	pids, err := listPIDs()
	if err != nil {
		return nil, err
	}
	r.procs = r.procs[:0]
	for _, pid := range pids {
		if st, err := r.stat(pid); err == nil {
			r.procs = append(r.procs, st)
		}
	}
	return r.procs, nil
}

// listPIDs lists the processes in /proc.
func listPIDs() ([]int, error) {
	d, err := os.Open("/proc")
	if err != nil {
		return nil, err
	}
	names, err := d.Readdirnames(-1)
	_ = d.Close()
	if err != nil {
		return nil, fmt.Errorf("shell: list /proc: %w", err)
	}
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids, nil
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

// envValue is the value of name in process pid's environment.
func envValue(pid int, name string) (string, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return "", false
	}
	prefix := name + "="
	for _, e := range bytes.Split(b, []byte{0}) {
		if v, ok := strings.CutPrefix(string(e), prefix); ok {
			return v, true
		}
	}
	return "", false
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
