package acceptance

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/waiter-go/waiter/internal/e2ekit"
)

// processesUnder lists the live processes whose WAITER_SANDBOX lies in
// dir: every process the shell scheduler started from dir, and whatever
// they forked, carries it in its environment.
func processesUnder(dir string) []e2ekit.Process {
	return e2ekit.ProcessesWithEnv(e2ekit.EnvUnder("WAITER_SANDBOX", dir), "")
}

// instanceRecord is the part of the shell scheduler's instance.json the
// tests read: which process group an instance is.
type instanceRecord struct {
	InstanceID string `json:"instance-id"`
	PID        int    `json:"pid"`
	PGID       int    `json:"pgid"`
}

// instanceRecords reads every instance.json under a scheduler folder.
func instanceRecords(workDir string) []instanceRecord {
	paths, _ := filepath.Glob(filepath.Join(workDir, "*", "*", "instance.json"))
	var out []instanceRecord
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // removed meanwhile: the instance stopped
		}
		var rec instanceRecord
		if json.Unmarshal(b, &rec) == nil && rec.PID > 0 {
			out = append(out, rec)
		}
	}
	return out
}

// groupMembers lists the live processes of process group pgid.
func groupMembers(pgid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(st, ')')
		if i < 0 {
			continue
		}
		// Fields after the name: state ppid pgrp ...
		f := strings.Fields(string(st[i+1:]))
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		if g, err := strconv.Atoi(f[2]); err == nil && g == pgid {
			out = append(out, pid)
		}
	}
	return out
}
