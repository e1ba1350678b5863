package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/waiter-go/waiter/sim"
)

// runStats is what --stats writes: how fast the simulator went, for
// benchmarks and capacity planning. It is kept out of report.json, which
// must not depend on the machine.
type runStats struct {
	WallSeconds       float64 `json:"wall_seconds"`
	SimSeconds        float64 `json:"sim_seconds"`
	Requests          int64   `json:"requests"`
	RequestsPerSecond float64 `json:"requests_per_second"`
	PeakRSSBytes      int64   `json:"peak_rss_bytes"`
	// CPUSeconds is the process's CPU time during the simulation (0
	// where the system does not say): unlike wall time, it does not
	// count time other processes held the CPU. CPUNsPerRequest divides
	// it by the requests, the figure make bench compares with the
	// engine's own request path measured in the same run.
	CPUSeconds      float64 `json:"cpu_seconds"`
	CPUNsPerRequest float64 `json:"cpu_ns_per_request"`
	// PageFaults is the minor page faults during the simulation: first
	// touches of fresh memory, each costing microseconds on a VM (see
	// internal/hugeheap).
	PageFaults int64 `json:"page_faults"`
}

// writeStats writes the statistics of a run whose simulation took wall
// and cpu, and faults page faults.
func writeStats(path string, rep *sim.Report, wall, cpu time.Duration, faults int64) error {
	s := runStats{
		WallSeconds:  wall.Seconds(),
		SimSeconds:   rep.DurationS,
		Requests:     rep.Totals.Requests,
		PeakRSSBytes: peakRSS(),
		CPUSeconds:   cpu.Seconds(),
		PageFaults:   faults,
	}
	if s.WallSeconds > 0 {
		s.RequestsPerSecond = float64(s.Requests) / s.WallSeconds
	}
	if s.Requests > 0 {
		s.CPUNsPerRequest = float64(cpu.Nanoseconds()) / float64(s.Requests)
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode stats: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write stats: %w", err)
	}
	return nil
}

// peakRSS returns the process's peak resident set size in bytes: VmHWM
// from /proc on Linux, else getrusage, else 0 where neither exists.
func peakRSS() int64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				if err == nil {
					return kb * 1024
				}
			}
		}
	}
	return rusageMaxRSS()
}
