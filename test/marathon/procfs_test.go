package marathon

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// taskProcess is one live process of a simulated Marathon task: the
// /bin/sh that runs the app's cmd, or the kitchen it started.
type taskProcess struct {
	pid     int
	taskID  string // MESOS_TASK_ID: Waiter's instance id
	cmdline string
}

// taskProcesses lists the live processes whose MESOS_SANDBOX lies in
// tasksDir. The simulator gives every task a sandbox there and puts it in
// the task's environment, which every process the task forks inherits;
// so this finds one cluster's tasks and nothing of a parallel test's.
func taskProcesses(tasksDir string) []taskProcess {
	prefix := []byte("MESOS_SANDBOX=" + tasksDir + string(filepath.Separator))
	var out []taskProcess
	for _, pid := range livePIDs() {
		env, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ"))
		if err != nil {
			continue // exited meanwhile
		}
		var in bool
		var task string
		for _, kv := range bytes.Split(env, []byte{0}) {
			switch {
			case bytes.HasPrefix(kv, prefix):
				in = true
			case bytes.HasPrefix(kv, []byte("MESOS_TASK_ID=")):
				task = string(kv[len("MESOS_TASK_ID="):])
			}
		}
		if in {
			out = append(out, taskProcess{pid: pid, taskID: task, cmdline: cmdline(pid)})
		}
	}
	return out
}

// taskIDs is the sorted set of tasks that have a live process.
func taskIDs(procs []taskProcess) []string {
	set := map[string]bool{}
	for _, p := range procs {
		set[p.taskID] = true
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
