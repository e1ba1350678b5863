package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Interleaved rounds spread a machine's load over every target alike only
// when the load is steady; a neighbour that starts or ends mid-run (a
// simulation, a build) weighs on the targets it overlaps, and their
// ratios are then wrong with nothing to show it. Each measurement
// therefore also counts the CPU that processes outside the benchmark
// used meanwhile, and names them when it is more than bystanderLimit of
// one CPU.

// bystanderLimit is the share of one CPU that processes outside the
// benchmark may use during a measurement before it is reported disturbed.
const bystanderLimit = 0.05

// bystander is a process outside the benchmark and the CPU it used
// during a measurement.
type bystander struct {
	procStat
	used time.Duration
}

// bystanders returns the processes of after that are neither self nor
// its descendants nor kernel threads (pid 2 and its children), with the
// CPU each used since before (all of it for one that started since),
// the busiest first.
func bystanders(before, after procSnapshot, self int) []bystander {
	ours := func(pid int) bool {
		for seen := 0; pid > 0 && seen < len(after); seen++ {
			if pid == self {
				return true
			}
			st, ok := after[pid]
			if !ok {
				return false
			}
			pid = st.ppid
		}
		return false
	}
	var out []bystander
	for pid, st := range after {
		if pid == 2 || st.ppid == 2 || ours(pid) {
			continue
		}
		used := st.cpu
		if b, ok := before[pid]; ok {
			used -= b.cpu
		}
		if used > 0 {
			out = append(out, bystander{st, used})
		}
	}
	slices.SortFunc(out, func(a, b bystander) int { return int(b.used - a.used) })
	return out
}

// disturbance says which bystanders used more than bystanderLimit of
// one CPU over a measurement of length d, and how much in all; "" when
// they did not.
func disturbance(bs []bystander, d time.Duration) string {
	var total time.Duration
	for _, b := range bs {
		total += b.used
	}
	if d <= 0 || float64(total) <= bystanderLimit*float64(d) {
		return ""
	}
	var names []string
	for _, b := range bs[:min(3, len(bs))] {
		names = append(names, fmt.Sprintf("%s (pid %d) %.0f%%", b.comm, b.pid, 100*float64(b.used)/float64(d)))
	}
	return fmt.Sprintf("other processes used %.0f%% of a CPU: %s", 100*float64(total)/float64(d), strings.Join(names, ", "))
}
