package e2ekit

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Process is one live process found in /proc.
type Process struct {
	PID int
	// Label is the value of the environment variable ProcessesWithEnv
	// was asked for (a pod's or a task's name), or "".
	Label   string
	Cmdline string
}

// ProcessesWithEnv lists the live processes whose environment has an
// entry (a "NAME=value" line) for which match holds, each labelled with
// the value of its variable labelVar when that is not "". A scheduler
// puts a variable naming the cluster, or the sandbox folder, in every
// instance's environment, which whatever the instance forks inherits; so
// a suite finds one test's processes and nothing of a parallel test's.
func ProcessesWithEnv(match func(kv []byte) bool, labelVar string) []Process {
	label := []byte(labelVar + "=")
	var out []Process
	for _, pid := range LivePIDs() {
		env, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
		if err != nil {
			continue // exited meanwhile
		}
		var in bool
		var value string
		for _, kv := range bytes.Split(env, []byte{0}) {
			switch {
			case match(kv):
				in = true
			case labelVar != "" && bytes.HasPrefix(kv, label):
				value = string(kv[len(label):])
			}
		}
		if in {
			out = append(out, Process{PID: pid, Label: value, Cmdline: Cmdline(pid)})
		}
	}
	return out
}

// EnvUnder is a match for ProcessesWithEnv: the variable name holds a
// path inside dir.
func EnvUnder(name, dir string) func(kv []byte) bool {
	prefix := []byte(name + "=" + dir + string(filepath.Separator))
	return func(kv []byte) bool { return bytes.HasPrefix(kv, prefix) }
}

// EnvIs is a match for ProcessesWithEnv: the variable name is value.
func EnvIs(name, value string) func(kv []byte) bool {
	want := []byte(name + "=" + value)
	return func(kv []byte) bool { return bytes.Equal(kv, want) }
}

// Labels is the sorted set of the processes' labels.
func Labels(procs []Process) []string {
	var out []string
	for _, p := range procs {
		out = append(out, p.Label)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ProcessesRunning lists the live processes whose command line runs
// binary (its first word), e.g. every kitchen a suite built.
func ProcessesRunning(binary string) []int {
	var out []int
	for _, pid := range LivePIDs() {
		if f := strings.Fields(Cmdline(pid)); len(f) > 0 && f[0] == binary {
			out = append(out, pid)
		}
	}
	return out
}

// LivePIDs lists the processes in /proc that are neither zombies nor dead.
func LivePIDs() []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && Alive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// Alive reports whether pid exists and is not a zombie: a process that
// has exited but is not reaped yet is no leftover.
func Alive(pid int) bool {
	st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name, which may itself
	// hold spaces and parentheses.
	i := bytes.LastIndexByte(st, ')')
	if i < 0 || i+2 >= len(st) {
		return false
	}
	return st[i+2] != 'Z' && st[i+2] != 'X'
}

// Cmdline is pid's command line, its arguments separated by spaces.
func Cmdline(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return strings.TrimSpace(string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
}
