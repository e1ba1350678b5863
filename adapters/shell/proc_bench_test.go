package shell

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkScanProcs is the memory check's scan of every process's stat,
// with a procReader kept from one scan to the next as the check keeps
// it, against the way it read them before (scanProcsReadFile: os.ReadFile
// and strings.Fields, a new slice of results each scan), measured in the same
// run: CPU time and bytes allocated a process, and their ratios.
func BenchmarkScanProcs(b *testing.B) {
	var r procReader
	if _, err := r.scan(); err != nil {
		b.Fatal(err)
	}
	measure := func(scan func() (int, error)) (nsPerProc, bytesPerProc float64) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		procs := 0
		for i := 0; i < b.N; i++ {
			n, err := scan()
			if err != nil {
				b.Fatal(err)
			}
			procs += n
		}
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		return float64(elapsed.Nanoseconds()) / float64(procs), float64(after.TotalAlloc-before.TotalAlloc) / float64(procs)
	}
	b.ResetTimer()
	ns, bytes := measure(func() (int, error) { p, err := r.scan(); return len(p), err })
	baseNs, baseBytes := measure(func() (int, error) { p, err := scanProcsReadFile(); return len(p), err })
	b.ReportMetric(ns, "ns/proc")
	b.ReportMetric(bytes, "B/proc")
	b.ReportMetric(baseBytes, "readfile-B/proc")
	b.ReportMetric(ns/baseNs, "x-readfile-time")
	b.ReportMetric(bytes/baseBytes, "x-readfile-bytes")
}

// scanProcsReadFile is BenchmarkScanProcs's baseline: the scan as it was
// written before procReader.
func scanProcsReadFile() ([]procStat, error) {
	pids, err := listPIDs()
	if err != nil {
		return nil, err
	}
	out := make([]procStat, 0, len(pids))
	for _, pid := range pids {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < statFields {
			continue
		}
		st := procStat{pid: pid, state: f[0][0]}
		st.pgrp, _ = strconv.Atoi(f[2])
		st.startTicks, _ = strconv.ParseUint(f[19], 10, 64)
		st.rssPages, _ = strconv.ParseInt(f[21], 10, 64)
		out = append(out, st)
	}
	return out, nil
}
