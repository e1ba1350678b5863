package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// idleWindow is how long an idle router's CPU is measured.
const idleWindow = 10 * time.Second

// restartAdopting measures the idle CPU of router p, which started the
// n instances it runs, then crashes it (SIGKILL: the instances lead their
// own process groups and live on), starts a router that adopts them
// (shell adopt: true) and measures its idle CPU the same way: an adopted
// instance, not the router's child, must cost no more to watch than one
// it started. It returns the router left running, for the caller to
// stop (and, with it, the instances).
func restartAdopting(o options, p *process, dir, config string, n int) (*process, error) {
	own, err := idleCPU(p)
	if err != nil {
		return p, err
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
	// The successor adopts in its scheduler's New, before it listens.
	p2, _, err := startWaiterWith(o.waiter, dir, config)
	if err != nil {
		killStrays(o.minimal) // nothing else would stop the orphans
		return p, fmt.Errorf("restarting to adopt: %w", err)
	}
	adopted, err := idleCPU(p2)
	if err != nil {
		return p2, err
	}
	fmt.Printf("\nidle CPU of waiter serve over %v with %d instances (%d adopted by the restarted router)\n", idleWindow, n, adoptedCount(dir))
	fmt.Printf("%-32s %12v (%.1f%% of a core)\n", "started by the router", own, 100*own.Seconds()/idleWindow.Seconds())
	fmt.Printf("%-32s %12v (%.1f%% of a core)  %.2f x-own-instances\n", "adopted after a restart", adopted, 100*adopted.Seconds()/idleWindow.Seconds(), adopted.Seconds()/max(own.Seconds(), 0.01))
	return p2, nil
}

// idleCPU is the CPU p's process group used over idleWindow, after a
// settling second.
func idleCPU(p *process) (time.Duration, error) {
	time.Sleep(time.Second)
	before, _ := snapshotProcs().groupCPU(p.cmd.Process.Pid)
	time.Sleep(idleWindow)
	after, _ := snapshotProcs().groupCPU(p.cmd.Process.Pid)
	select {
	case <-p.done:
		return 0, fmt.Errorf("waiter serve exited while idle")
	default:
	}
	return after - before, nil
}

// adoptedCount counts the router log's adopted instances.
func adoptedCount(dir string) int {
	b, _ := os.ReadFile(filepath.Join(dir, "waiter.log"))
	return strings.Count(string(b), "shell: adopted instance")
}

// killStrays kills every process running bin: instances whose router
// could not be restarted to stop them.
func killStrays(bin string) {
	exes, _ := filepath.Glob("/proc/[0-9]*/exe")
	for _, e := range exes {
		if target, err := os.Readlink(e); err == nil && target == bin {
			var pid int
			if _, err := fmt.Sscanf(e, "/proc/%d/exe", &pid); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
}
