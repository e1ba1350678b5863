package shell

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/procgroup"
)

// instance is one process group running a service's command.
//
// Its life: launched (or adopted) -> live (in svc.instances, probed) ->
// stopping (out of svc.instances; the group is being terminated, its ports
// still held) -> done (group gone, ports released, record removed).
type instance struct {
	id        string
	svc       *service
	dir       string
	ports     []int
	startedAt time.Time
	// graceFrom starts the grace period: the launch, or the adoption (a
	// restarted router has not seen the instance pass a health check).
	graceFrom time.Time
	// pid is the leader's pid, which is also the group id.
	pid        int
	startTicks uint64
	// proc is the leader, to be reaped: nil for an adopted instance,
	// which is not our child (its exit is seen through its pidfd or
	// /proc, and its exit code is unknown). The exec.Cmd that started it
	// is not kept: its output files are plain files (no copying
	// goroutines or pipes to wait for), so reaping the process is all
	// its Wait would do, and it holds about half a kilobyte more.
	proc *os.Process

	// probeTimer fires the next health-check round (monitor); probeMu
	// guards it and probesEnded, set once the instance stops.
	probeMu     sync.Mutex
	probeTimer  *time.Timer
	probesEnded bool
	// Used by the health-check rounds only, one at a time: the listening
	// sockets found to be the group's (authentic.go), and whether a
	// failure to read /proc was logged.
	ownSockets      map[uint64]bool
	verifyErrLogged bool
	// probes counts the probes sent so far and probeStart is when the
	// latest began: the debug line of a first healthy probe says where a
	// cold start's milliseconds went.
	probes     int
	probeStart time.Time

	// Guarded by Scheduler.mu.
	healthy     bool
	everHealthy bool
	hcStatus    int
	flags       engine.InstanceFlags
	failedProbe int // consecutive failed probes
	stopping    bool
	// keepDir keeps the folder (its logs) after the group is gone, while
	// the instance is listed among the service's failures.
	keepDir bool

	// stopped is canceled when stopping begins: it ends the health
	// checks' loop and a probe in flight.
	stopped    context.Context
	stop       context.CancelFunc
	leaderDone chan struct{} // closed once the leader has exited
	done       chan struct{} // closed once the group is gone
}

func newInstance(svc *service, id string, ports []int, pid int, startTicks uint64, startedAt, graceFrom time.Time) *instance {
	in := &instance{
		id: id, svc: svc, dir: filepath.Join(svc.dir, id), ports: ports,
		startedAt: startedAt, graceFrom: graceFrom, pid: pid, startTicks: startTicks,
		leaderDone: make(chan struct{}), done: make(chan struct{}),
	}
	in.stopped, in.stop = context.WithCancel(context.Background())
	return in
}

// observed is the instance as Observe reports it. s.mu held.
func (in *instance) observed() engine.ObservedInstance {
	return engine.ObservedInstance{
		ID: in.id, Host: Host, Port: in.ports[0], StartedAt: in.startedAt,
		Healthy: in.healthy, HealthCheckStatus: in.hcStatus, Flags: in.flags,
	}
}

// track registers a started instance and its goroutines. s.mu held.
func (s *Scheduler) track(in *instance) {
	in.svc.instances[in.id] = in
	s.live[in] = struct{}{}
	if in.proc != nil {
		s.exits.Watch(in.pid, s.counted(func() { s.waitChild(in) }))
	} else {
		// Not our child: its pidfd says when it exits, and pollAdopted
		// then confirms it; where that cannot be watched, pollAdopted
		// polls /proc all along.
		ours := func() bool { return stillRuns(in.pid, in.startTicks) }
		exited := s.counted(func() { s.pollAdopted(in) })
		if !s.exits.WatchProcess(in.pid, ours, exited) {
			go exited()
		}
	}
	s.monitor(in)
	s.notify(in.svc.spec.ServiceID)
}

// beginStop takes in out of service and terminates its group in the
// background: SIGTERM, then SIGKILL once grace has passed (at once when
// grace is 0). s.mu held.
func (s *Scheduler) beginStop(in *instance, grace time.Duration) {
	if in.stopping {
		return
	}
	in.stopping = true
	in.healthy = false
	in.stop()
	delete(in.svc.instances, in.id)
	s.notify(in.svc.spec.ServiceID)
	s.spawn(func() { s.terminate(in, grace) })
}

// killWait bounds the wait for a group to vanish after SIGKILL; only a
// process stuck in the kernel (uninterruptible sleep) outlives it.
const killWait = 30 * time.Second

func (s *Scheduler) terminate(in *instance, grace time.Duration) {
	select {
	case <-in.leaderDone:
		// The leader exited by itself. If nothing of its group is left,
		// signal nothing: once the group is gone its id may be reused.
		if !procgroup.Alive(in.pid) {
			s.finish(in)
			return
		}
	default:
	}
	if grace > 0 {
		if err := procgroup.Signal(in.pid, syscall.SIGTERM); err != nil {
			s.log.Error("shell: SIGTERM", "instance", in.id, "pgid", in.pid, "err", err)
		}
		if procgroup.WaitGone(in.pid, in.leaderDone, grace) {
			s.finish(in)
			return
		}
	}
	if err := procgroup.Signal(in.pid, syscall.SIGKILL); err != nil {
		s.log.Error("shell: SIGKILL", "instance", in.id, "pgid", in.pid, "err", err)
	}
	if !procgroup.WaitGone(in.pid, in.leaderDone, killWait) {
		s.log.Error("shell: process group survived SIGKILL", "instance", in.id, "pgid", in.pid)
	}
	s.finish(in)
}

// finish releases what a stopped instance held once its group is gone.
func (s *Scheduler) finish(in *instance) {
	s.mu.Lock()
	s.ports.Release(in.ports)
	delete(s.live, in)
	keep, deleted := in.keepDir, in.svc.deleted
	close(in.done)
	s.mu.Unlock()

	// Filesystem work outside the lock: the record goes (nothing runs any
	// more), the folder too unless it holds a listed failure's logs.
	if keep {
		_ = os.Remove(filepath.Join(in.dir, instanceRecordName))
	} else {
		_ = os.RemoveAll(in.dir)
	}
	if deleted {
		s.removeServiceDir(in.svc)
	}
}

// removeServiceDir removes a deleted service's folder once it is empty.
// It holds s.mu and leaves the folder alone when a service with the same
// id was created since: that service owns the folder now, and CreateService
// makes it and writes service.json into it under s.mu, so removing it
// unlocked could pull it out from under a recreated service (seen when a
// test deletes a service and at once sends a request that recreates it).
func (s *Scheduler) removeServiceDir(svc *service) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, reborn := s.services[svc.spec.ServiceID]; reborn {
		return
	}
	_ = os.Remove(svc.dir) // only succeeds once the folder is empty
}

// waitChild reaps the leader of a launched instance once s.exits saw it
// exit (or, where it cannot watch, waits for it). An exit nobody asked
// for is a failure: it is recorded with its exit code, whatever is left of
// the group is killed, and a replacement follows after the retry interval.
func (s *Scheduler) waitChild(in *instance) {
	state, _ := in.proc.Wait() // nil, with an error, only if reaped already
	close(in.leaderDone)
	code, msg := exitDetails(state)
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.stopping {
		return
	}
	s.log.Info("shell: instance exited", "instance", in.id, "code", code)
	s.fail(in, 0, msg, &code, 0)
}

// pollAdopted watches an adopted leader, which is not our child: it is
// reaped by init, so only /proc tells when it is gone. It is called once
// s.exits saw the leader exit (it finds it gone at once), or, where that
// cannot be watched, when it is adopted.
func (s *Scheduler) pollAdopted(in *instance) {
	for stillRuns(in.pid, in.startTicks) {
		time.Sleep(adoptedPollInterval)
	}
	close(in.leaderDone)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !in.stopping {
		s.fail(in, 0, "Exited (exit code not known for an adopted instance)", nil, 0)
	}
}

// adoptedPollInterval is how often an adopted leader is checked for exit.
const adoptedPollInterval = 20 * time.Millisecond

// fail records in as a failed instance, stops what is left of its group
// (after grace) and schedules its replacement. s.mu held.
func (s *Scheduler) fail(in *instance, flags engine.InstanceFlags, msg string, exitCode *int, grace time.Duration) {
	obs := in.observed()
	obs.Healthy = false
	obs.Flags |= flags
	obs.Message = msg
	if exitCode != nil {
		obs.ExitCode, obs.HasExitCode = *exitCode, true
	}
	svc := in.svc
	in.keepDir = true
	svc.failed = append(svc.failed, failure{obs: obs, in: in})
	if n := len(svc.failed) - s.cfg.MaxFailedInstances; n > 0 {
		for _, f := range svc.failed[:n] {
			s.forgetFailure(f.in)
		}
		svc.failed = append(svc.failed[:0], svc.failed[n:]...)
	}
	s.log.Info("shell: instance failed", "service", svc.spec.ServiceID, "instance", in.id, "message", msg)
	s.beginStop(in, grace)
	s.scheduleRetry(svc)
}

// forgetFailure drops a failure's logs: at once when its group is gone,
// else when it is. s.mu held.
func (s *Scheduler) forgetFailure(in *instance) {
	in.keepDir = false
	select {
	case <-in.done:
		_ = os.RemoveAll(in.dir)
	default:
	}
}

// exitDetails turns a wait status into an exit code and Waiter's message.
// A leader killed by a signal gets 128+signal, as a shell reports it.
func exitDetails(ps *os.ProcessState) (int, string) {
	if ps == nil {
		return -1, "Exited (status unknown)"
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		sig := ws.Signal()
		return 128 + int(sig), fmt.Sprintf("Killed by signal %d (%v)", int(sig), sig)
	}
	code := ps.ExitCode()
	return code, fmt.Sprintf("Exited with code %d", code)
}
