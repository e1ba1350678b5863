package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// machineCPU is the machine's CPU time so far from /proc/stat's
// aggregate line, in clock ticks: busy (user, nice, system, irq,
// softirq, steal) and idle (idle, iowait). A closed-loop run on a
// machine whose cores are not all busy is bound by how fast its
// processes wake each other, not by their CPU per request: the idle
// share says which.
type machineCPU struct {
	busy, idle uint64
}

// readMachineCPU reads /proc/stat; the zero value when it cannot.
func readMachineCPU() machineCPU {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}
	}
	m, _ := parseMachineCPU(string(b))
	return m
}

// parseMachineCPU reads the "cpu " line of a /proc/stat text.
func parseMachineCPU(stat string) (machineCPU, bool) {
	line, _, _ := strings.Cut(stat, "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return machineCPU{}, false
	}
	var v [8]uint64
	for i := range v {
		n, err := strconv.ParseUint(f[i+1], 10, 64)
		if err != nil {
			return machineCPU{}, false
		}
		v[i] = n
	}
	// user nice system idle iowait irq softirq steal
	return machineCPU{busy: v[0] + v[1] + v[2] + v[5] + v[6] + v[7], idle: v[3] + v[4]}, true
}

// machineBusy is the machine's busy CPU time between a and b, over all
// its cores: the proxy's, the load generator's, the backend's and the
// kernel's network work that no process is charged for.
func machineBusy(a, b machineCPU) time.Duration {
	return time.Duration(b.busy-a.busy) * clockTick
}

// idleShare is the share of the machine's CPU time left idle between a
// and b, 0 to 1.
func idleShare(a, b machineCPU) float64 {
	busy, idle := b.busy-a.busy, b.idle-a.idle
	if busy+idle == 0 {
		return 0
	}
	return float64(idle) / float64(busy+idle)
}
