package shell

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/procgroup"
)

// crashedRouter runs the router role in a child process on dir, waits for
// its two-instance service (run as runAs, "" for the router's own user)
// to be healthy, then kills it with SIGKILL: the instances are left
// running, as after a router crash.
func crashedRouter(t *testing.T, dir string, ports [2]int, runAs string) routerReport {
	t.Helper()
	var rep routerReport
	line, err := routerRoleLine(t, "router", dir, ports, envRouterRunAs+"="+runAs)
	if err != nil {
		t.Fatalf("router role: %v", err)
	}
	if err := json.Unmarshal([]byte(line), &rep); err != nil {
		t.Fatalf("router report %q: %v", line, err)
	}
	// Whatever the test does, the orphans must not outlive it (nor the
	// account they run as: it is deleted after them).
	t.Cleanup(func() {
		gone := make(chan struct{})
		close(gone) // not our children: poll /proc
		for _, pgid := range rep.Instances {
			_ = procgroup.Signal(pgid, syscall.SIGKILL)
			procgroup.WaitGone(pgid, gone, waitTimeout)
		}
	})
	for id, pgid := range rep.Instances {
		if !procgroup.Alive(pgid) {
			t.Fatalf("instance %s (group %d) died with the router", id, pgid)
		}
	}
	return rep
}

// routerRoleLine runs a router role (roles_test.go) in a child process
// on dir and ports, with env added, reads the first line it prints, and
// kills it with SIGKILL (if it has not died already): the instances it
// started are left running, as after a router crash.
func routerRoleLine(t *testing.T, role, dir string, ports [2]int, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append(os.Environ(), envRole+"="+role, envRouterDir+"="+dir,
		fmt.Sprintf("%s=%d-%d", envRouterPorts, ports[0], ports[1])), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return line, err
}

func TestRestartTerminatesLeftovers(t *testing.T) {
	t.Parallel()
	dir, ports := t.TempDir(), testPortRange()
	rep := crashedRouter(t, dir, ports, "")
	notes := filepath.Join(dir, "not-ours")
	if err := os.MkdirAll(notes, 0o755); err != nil {
		t.Fatal(err)
	}

	s := newTestScheduler(t, func(c *Config) { c.WorkDir, c.PortRange = dir, ports })
	for id, pgid := range rep.Instances {
		if procgroup.Alive(pgid) {
			t.Errorf("leftover %s (group %d) still runs after New", id, pgid)
		}
	}
	if all, _ := s.Observe(t.Context()); len(all) != 0 {
		t.Errorf("Observe = %v, want nothing: leftovers are not adopted by default", all)
	}
	if _, err := os.Stat(filepath.Join(dir, rep.Service)); !os.IsNotExist(err) {
		t.Errorf("service folder of the leftovers: %v, want it removed", err)
	}
	if _, err := os.Stat(notes); err != nil {
		t.Errorf("a folder that is not the scheduler's was touched: %v", err)
	}
}

func TestRestartAdoptsLeftovers(t *testing.T) {
	t.Parallel()
	dir, ports := t.TempDir(), testPortRange()
	rep := crashedRouter(t, dir, ports, "")

	// One instance dies while no router runs: it is replaced on adoption.
	var dead, kept string
	for id := range rep.Instances {
		if dead == "" {
			dead = id
		} else {
			kept = id
		}
	}
	_ = procgroup.Signal(rep.Instances[dead], syscall.SIGKILL)
	waitUntil(t, "the instance killed meanwhile to die", func() bool { return !procgroup.Alive(rep.Instances[dead]) })

	s := newTestScheduler(t, func(c *Config) { c.WorkDir, c.PortRange, c.Adopt = dir, ports, true })
	obs := waitObs(t, s, rep.Service, "the adopted and a new instance healthy", healthy(2))
	if obs.Requested != 2 {
		t.Errorf("requested = %d, want the recorded 2", obs.Requested)
	}
	ids := map[string]bool{}
	for _, in := range obs.Instances {
		ids[in.ID] = true
	}
	if !ids[kept] || ids[dead] {
		t.Fatalf("instances %v, want %s adopted and %s replaced", ids, kept, dead)
	}
	if got := pgidOf(t, s, rep.Service, kept); got != rep.Instances[kept] {
		t.Errorf("adopted group %d, want %d", got, rep.Instances[kept])
	}
	if _, err := os.Stat(s.InstanceDir(rep.Service, dead)); !os.IsNotExist(err) {
		t.Errorf("folder of the dead instance: %v, want it removed", err)
	}

	// An adopted instance is stopped like any other.
	if err := s.KillInstance(t.Context(), rep.Service, kept, engine.KillOptions{}); err != nil {
		t.Fatalf("KillInstance(adopted): %v", err)
	}
	waitUntil(t, "the adopted group to be gone", func() bool { return !procgroup.Alive(rep.Instances[kept]) })
	if obs := observe(t, s, rep.Service); obs.Requested != 1 || len(obs.Failed) != 0 {
		t.Errorf("after killing the adopted instance: %+v", obs)
	}
}

func TestRestartRemovesStaleRecords(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := describe(t, nil)
	sp, err := specOf(d)
	if err != nil {
		t.Fatal(err)
	}
	svcDir := filepath.Join(dir, d.ID)
	for name, rec := range map[string]instanceRecord{
		"gone":   {PID: 1 << 30, PGID: 1 << 30, BootID: readBootID(), StartTicks: 1},
		"reboot": {PID: os.Getpid(), PGID: os.Getpid(), BootID: "another-boot", StartTicks: 1},
		// Our own pid, but not our start time: a reused pid is a stranger.
		"reused": {PID: os.Getpid(), PGID: os.Getpid(), BootID: readBootID(), StartTicks: 1},
	} {
		id := d.ID + "." + name
		rec.Version, rec.ServiceID, rec.InstanceID, rec.Ports = recordVersion, d.ID, id, []int{1}
		if err := os.MkdirAll(filepath.Join(svcDir, id), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := writeJSON(filepath.Join(svcDir, id, instanceRecordName), rec); err != nil {
			t.Fatal(err)
		}
	}
	logsOnly := filepath.Join(svcDir, d.ID+".oldfailure")
	if err := os.MkdirAll(logsOnly, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := writeJSON(filepath.Join(svcDir, serviceRecordName), serviceRecord{Version: recordVersion, Spec: sp, Requested: 1}); err != nil {
		t.Fatal(err)
	}

	s := newTestScheduler(t, func(c *Config) { c.WorkDir = dir })
	if _, err := os.Stat(svcDir); !os.IsNotExist(err) {
		entries, _ := os.ReadDir(svcDir)
		t.Errorf("stale service folder kept (%v): %v", err, entries)
	}
	if all, _ := s.Observe(t.Context()); len(all) != 0 {
		t.Errorf("Observe = %v, want nothing", all)
	}
	// Two records named this very process (a reused pid, an old boot):
	// that the test is still running shows they were not signalled.
}

// An adopted instance, not this router's child, is watched through its
// pidfd (localproc.Exits.WatchProcess), not by polling /proc on a
// goroutine of its own, and its exit is still seen: it is listed as
// failed, with no exit code, and replaced. Not parallel: it reads the
// process's goroutines.
func TestAdoptedInstanceIsWatchedWithoutPollingAndItsExitSeen(t *testing.T) {
	dir, ports := t.TempDir(), testPortRange()
	rep := crashedRouter(t, dir, ports, "")
	s := newTestScheduler(t, func(c *Config) { c.WorkDir, c.PortRange, c.Adopt = dir, ports, true })
	waitObs(t, s, rep.Service, "the adopted instances healthy", healthy(2))
	var dump strings.Builder
	if err := pprof.Lookup("goroutine").WriteTo(&dump, 2); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(dump.String(), "shell.(*Scheduler).pollAdopted("); n > 0 {
		t.Errorf("%d goroutines poll adopted instances, want none (their pidfds are watched)", n)
	}

	var gone string
	for id := range rep.Instances {
		gone = id
		break
	}
	_ = procgroup.Signal(rep.Instances[gone], syscall.SIGKILL)
	obs := waitObs(t, s, rep.Service, "the adopted instance that died failed and replaced", func(o engine.Observation) bool {
		return len(o.Failed) == 1 && healthyCount(o) == 2
	})
	if f := obs.Failed[0]; f.ID != gone || f.HasExitCode || !strings.Contains(f.Message, "exit code not known") {
		t.Errorf("failure %+v, want %s with no exit code", f, gone)
	}
}

// A router that dies between starting an instance and writing its
// record (start, launch.go) leaves a process no record names. The next
// router finds it by the folder its processes carry as WAITER_SANDBOX
// and terminates it, adopting or not: nothing says what it is. Left, it
// would run for good, holding its port and its user's resources.
func TestRestartTerminatesAnInstanceNeverRecorded(t *testing.T) {
	for _, adopt := range []bool{false, true} {
		t.Run(fmt.Sprintf("adopt=%v", adopt), func(t *testing.T) {
			t.Parallel()
			dir, ports := t.TempDir(), testPortRange()
			line, readErr := routerRoleLine(t, "router-dying-at-spawn", dir, ports) // it kills itself
			var rep spawnReport
			if readErr != nil || json.Unmarshal([]byte(line), &rep) != nil || rep.PID <= 1 {
				t.Fatalf("the dying router's report %q: %v", line, readErr)
			}
			t.Cleanup(func() {
				gone := make(chan struct{})
				close(gone)
				_ = procgroup.Signal(rep.PID, syscall.SIGKILL)
				procgroup.WaitGone(rep.PID, gone, waitTimeout)
			})
			entries, _ := os.ReadDir(filepath.Join(dir, rep.Service))
			var folder string
			for _, e := range entries {
				if e.IsDir() {
					folder = filepath.Join(dir, rep.Service, e.Name())
				}
			}
			if folder == "" || !procgroup.Alive(rep.PID) {
				t.Fatalf("no unrecorded instance left running (folder %q, alive %v): the test proves nothing", folder, procgroup.Alive(rep.PID))
			}
			if _, err := os.Stat(filepath.Join(folder, instanceRecordName)); !os.IsNotExist(err) {
				t.Fatalf("the instance was recorded after all: %v", err)
			}

			s := newTestScheduler(t, func(c *Config) { c.WorkDir, c.PortRange, c.Adopt = dir, ports, adopt })
			if procgroup.Alive(rep.PID) {
				t.Errorf("the unrecorded instance (group %d) still runs after New", rep.PID)
			}
			if _, err := os.Stat(folder); !os.IsNotExist(err) {
				t.Errorf("its folder: %v, want it removed", err)
			}
			if adopt {
				// The service itself was recorded: it is adopted, and its
				// one instance started again.
				obs := waitObs(t, s, rep.Service, "a new instance healthy", healthy(1))
				if obs.Requested != 1 || obs.Instances[0].ID == filepath.Base(folder) {
					t.Errorf("after adoption: %+v", obs)
				}
			}
		})
	}
}
