package shell

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/internal/procgroup"
)

// After a router crash its instances keep running (they are in their own
// process groups and have no parent-death signal). New finds them from the
// records in the work folder and, per Config.Adopt, takes them over or
// terminates them; one started but not yet recorded when the router died
// is found by its folder, which its processes carry as WAITER_SANDBOX,
// and terminated. Either way folders of instances that are gone are
// removed, so the work folder only ever holds what runs plus the logs of
// the current run's recent failures.

// leftover says what became of a recorded instance.
type leftover int

const (
	// leftoverDead: nothing of it runs.
	leftoverDead leftover = iota
	// leftoverAlive: its leader runs; it is the same process (same boot,
	// pid and start time), so it can be adopted.
	leftoverAlive
	// leftoverRemnant: the leader is gone but processes it forked still
	// run in its group; they are terminated, never adopted.
	leftoverRemnant
)

// recoverWorkDir handles every service folder the previous scheduler left.
func (s *Scheduler) recoverWorkDir() {
	entries, err := os.ReadDir(s.cfg.WorkDir)
	if err != nil {
		s.log.Error("shell: scan work folder", "dir", s.cfg.WorkDir, "err", err)
		return
	}
	var terminating sync.WaitGroup
	var emptied []string // service folders to remove once their leftovers are gone
	var sandboxes sandboxIndex
	for _, e := range entries {
		if e.IsDir() {
			if dir, drop := s.recoverService(filepath.Join(s.cfg.WorkDir, e.Name()), &terminating, &sandboxes); drop {
				emptied = append(emptied, dir)
			}
		}
	}
	terminating.Wait()
	for _, dir := range emptied {
		_ = os.Remove(filepath.Join(dir, serviceRecordName))
		_ = os.Remove(dir) // only if nothing unknown is left in it
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, svc := range s.services {
		// Replace instances that died while no router watched them.
		if err := s.reconcile(svc); err != nil {
			s.log.Error("shell: relaunch adopted service", "service", svc.spec.ServiceID, "err", err)
		}
	}
}

// recoverService adopts or terminates the instances recorded under dir,
// and terminates those started there but never recorded. It reports
// whether the service folder should go (it was not adopted).
func (s *Scheduler) recoverService(dir string, terminating *sync.WaitGroup, sandboxes *sandboxIndex) (string, bool) {
	serviceID := filepath.Base(dir)
	var rec serviceRecord
	err := readOwnedJSON(filepath.Join(dir, serviceRecordName), &rec)
	haveSpec := err == nil && rec.Spec.ServiceID == serviceID && rec.Spec.check() == nil
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Error("shell: unreadable service record", "dir", dir, "err", err)
	}
	var svc *service
	if s.cfg.Adopt && haveSpec {
		svc = &service{spec: rec.Spec, dir: dir, requested: max(0, rec.Requested), instances: map[string]*instance{}}
		s.mu.Lock()
		s.services[serviceID] = svc
		s.mu.Unlock()
	}
	var grace time.Duration
	if haveSpec {
		grace = rec.Spec.TerminationGracePeriod
	}

	subs, _ := os.ReadDir(dir)
	for _, e := range subs {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		var ir instanceRecord
		err := readOwnedJSON(filepath.Join(sub, instanceRecordName), &ir)
		switch {
		case errors.Is(err, os.ErrNotExist):
			// No record: logs of an instance that had already failed, or
			// an instance its router started and died before recording
			// (start writes the record once the process runs). Its
			// processes carry the folder as WAITER_SANDBOX: they are
			// terminated, never adopted (nothing says what they are),
			// before the folder goes. Only folders named like our
			// instances, in a folder with our service record, are ours.
			if !haveSpec || !strings.HasPrefix(e.Name(), serviceID+".") {
				continue
			}
			groups := sandboxes.groupsOf(sub)
			if len(groups) == 0 {
				_ = os.RemoveAll(sub)
				continue
			}
			s.log.Info("shell: terminating an instance started but never recorded", "service", serviceID, "folder", sub, "pgids", groups)
			terminating.Add(1)
			go func() {
				defer terminating.Done()
				for _, pgid := range groups {
					terminateLeftover(pgid, grace)
				}
				_ = os.RemoveAll(sub)
			}()
			continue
		case err != nil || ir.InstanceID != e.Name() || ir.ServiceID != serviceID:
			s.log.Error("shell: ignoring unreadable instance record", "dir", sub, "err", err)
			continue
		}
		state := s.leftoverState(&ir, sub)
		switch {
		case state == leftoverDead:
			_ = os.RemoveAll(sub)
		case state == leftoverAlive && svc != nil && s.adopt(svc, &ir):
			s.log.Info("shell: adopted instance", "service", serviceID, "instance", ir.InstanceID, "pid", ir.PID)
		default:
			s.log.Info("shell: terminating leftover instance", "service", serviceID, "instance", ir.InstanceID, "pgid", ir.PGID)
			terminating.Add(1)
			go func() {
				defer terminating.Done()
				terminateLeftover(ir.PGID, grace)
				_ = os.RemoveAll(sub)
			}()
		}
	}
	return dir, svc == nil && haveSpec
}

// leftoverState decides whether a recorded instance still runs. A leader
// with the recorded boot id, pid and start time is the same process: pids
// are reused, such triples are not (the command line is no proof: a shell
// that execs the service changes it). A group whose leader is gone is
// ours only if its members carry the instance's WAITER_SANDBOX.
func (s *Scheduler) leftoverState(ir *instanceRecord, dir string) leftover {
	if ir.BootID == "" || ir.BootID != s.bootID || ir.PID <= 1 || ir.PGID <= 1 {
		return leftoverDead
	}
	if stillRuns(ir.PID, ir.StartTicks) {
		return leftoverAlive
	}
	procs, err := scanProcs()
	if err != nil {
		return leftoverDead
	}
	marker := "WAITER_SANDBOX=" + dir
	for _, p := range procs {
		if p.pgrp == ir.PGID && !p.dead() && hasEnv(p.pid, marker) {
			return leftoverRemnant
		}
	}
	return leftoverDead
}

// sandboxIndex is which process groups carry each WAITER_SANDBOX, read
// from /proc once, when a recovery first asks: a folder without a record
// is rare, and reading every process's environment is not cheap.
type sandboxIndex struct {
	read   bool
	groups map[string][]int
}

// groupsOf are the process groups of the live processes whose
// WAITER_SANDBOX is dir (none when /proc cannot be read).
func (x *sandboxIndex) groupsOf(dir string) []int {
	if !x.read {
		x.read, x.groups = true, scanSandboxes()
	}
	return x.groups[dir]
}

// scanSandboxes maps WAITER_SANDBOX values to the process groups of the
// live processes that carry them.
func scanSandboxes() map[string][]int {
	procs, err := scanProcs()
	if err != nil {
		return nil
	}
	out := map[string][]int{}
	for _, p := range procs {
		if p.dead() || p.pgrp <= 1 {
			continue
		}
		dir, ok := envValue(p.pid, "WAITER_SANDBOX")
		if ok && !slices.Contains(out[dir], p.pgrp) {
			out[dir] = append(out[dir], p.pgrp)
		}
	}
	return out
}

// adopt takes over a live leftover instance of svc. It refuses records
// that do not fit the service (then the instance is terminated instead).
func (s *Scheduler) adopt(svc *service, ir *instanceRecord) bool {
	if ir.PID != ir.PGID || len(ir.Ports) < svc.spec.Ports {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in := newInstance(svc, ir.InstanceID, ir.Ports, ir.PID, ir.StartTicks, ir.StartedAt, s.cfg.Now())
	s.ports.Claim(ir.Ports)
	s.track(in)
	return true
}

// terminateLeftover stops a group that is not our child: SIGTERM, grace,
// SIGKILL, as for our own instances.
func terminateLeftover(pgid int, grace time.Duration) {
	gone := make(chan struct{})
	close(gone) // the leader is not ours to wait for: poll the group
	if grace > 0 {
		_ = procgroup.Signal(pgid, syscall.SIGTERM)
		if procgroup.WaitGone(pgid, gone, grace) {
			return
		}
	}
	_ = procgroup.Signal(pgid, syscall.SIGKILL)
	procgroup.WaitGone(pgid, gone, killWait)
}
