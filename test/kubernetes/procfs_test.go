package kubernetes

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// podProcess is one live process of a pod the fake kubelet runs: the
// /bin/sh that runs the service's cmd, or the kitchen it started.
type podProcess struct {
	pid     int
	pod     string // HOSTNAME: the pod's name, as in a container
	cmdline string
}

// podProcesses lists the live processes of the router named cluster's
// pods: those whose environment has WAITER_CLUSTER=cluster (each test's
// router has its own id, which the adapter gives instances as
// WAITER_CLUSTER), which every process a pod forks inherits; so this
// finds one test's pods and nothing of a parallel test's.
func podProcesses(cluster string) []podProcess {
	want := []byte("WAITER_CLUSTER=" + cluster)
	var out []podProcess
	for _, pid := range livePIDs() {
		env, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
		if err != nil {
			continue // exited meanwhile
		}
		var in bool
		var pod string
		for _, kv := range bytes.Split(env, []byte{0}) {
			switch {
			case bytes.Equal(kv, want):
				in = true
			case bytes.HasPrefix(kv, []byte("HOSTNAME=")):
				pod = string(kv[len("HOSTNAME="):])
			}
		}
		if in {
			out = append(out, podProcess{pid: pid, pod: pod, cmdline: cmdline(pid)})
		}
	}
	return out
}

// podNames is the sorted set of pods that have a live process.
func podNames(procs []podProcess) []string {
	set := map[string]bool{}
	for _, p := range procs {
		set[p.pod] = true
	}
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// processesRunning lists the live processes whose command line runs
// binary (its first word), e.g. every kitchen this package built.
func processesRunning(binary string) []int {
	var out []int
	for _, pid := range livePIDs() {
		if f := strings.Fields(cmdline(pid)); len(f) > 0 && f[0] == binary {
			out = append(out, pid)
		}
	}
	return out
}

// livePIDs lists the processes in /proc that are neither zombies nor dead.
func livePIDs() []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && alive(pid) {
			out = append(out, pid)
		}
	}
	return out
}

// alive reports whether pid exists and is not a zombie: a task's process
// that has exited but is not reaped yet is no leftover.
func alive(pid int) bool {
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

func cmdline(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return strings.TrimSpace(string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})))
}
