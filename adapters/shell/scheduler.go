package shell

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/internal/fanout"
	"github.com/waiter-go/waiter/internal/healthcheck"
	"github.com/waiter-go/waiter/internal/localproc"
	"github.com/waiter-go/waiter/internal/osuser"
	"github.com/waiter-go/waiter/internal/procgroup"
)

var _ engine.Scheduler = (*Scheduler)(nil)

// checkHost refuses an operating system the scheduler cannot run on
// (goos is runtime.GOOS but in tests).
func checkHost(goos string) error {
	if goos != "linux" {
		return fmt.Errorf("%w, and this host runs %s: use the marathon or kubernetes scheduler here",
			ErrUnsupportedPlatform, goos)
	}
	return nil
}

// Scheduler runs service instances as local process groups. It is safe for
// concurrent use. One mutex guards all state; goroutines (one waiting for
// every instance's exit (localproc.Exits) and one memory watcher; per
// instance, each health-check round while it runs, the handling of its
// exit, and a terminator while it stops) do their waiting and I/O
// outside it.
type Scheduler struct {
	cfg Config
	log *slog.Logger
	env envBase
	// runner is the router's account and whether it may start
	// processes as others (it is root).
	runner osuser.Runner
	probe  *healthcheck.Prober
	bootID string
	lock   *os.File // flock on <WorkDir>/.lock
	// exits waits for the exits of the instances started here, all on
	// one goroutine.
	exits *localproc.Exits

	mu       sync.Mutex
	closed   bool
	services map[string]*service
	// live holds every instance whose process group may still run,
	// including those being stopped, so Shutdown can wait for all.
	live  map[*instance]struct{}
	ports *localproc.PortPool
	subs  fanout.Fanout

	stop     chan struct{} // closed when Shutdown starts
	stopped  chan struct{} // closed when Shutdown has finished
	wg       sync.WaitGroup
	shutOnce sync.Once

	// spawned, when set (tests only), hears of each instance process as
	// soon as it runs, before its record is written: a test's router
	// dies there, as a router that crashed in that window would.
	spawned func(pid int)
}

// service is one service's state.
type service struct {
	spec      spec
	dir       string
	requested int
	// instances are the live instances not being stopped: what Observe
	// lists and Scheduled counts.
	instances map[string]*instance
	// failed are the most recent failures, newest last.
	failed  []failure
	retry   *time.Timer
	deleted bool
	// deployErr says why no instance can be launched (a run-as-user that
	// cannot be used here); Observe reports it as the service's
	// deployment error until a launch succeeds.
	deployErr string
}

// failure is a failed instance as Observe reports it, with the instance
// whose folder (logs) is kept while it is listed.
type failure struct {
	obs engine.ObservedInstance
	in  *instance
}

// New opens the work folder, deals with what a previous scheduler left
// there (adopts it when cfg.Adopt, terminates it otherwise) and starts
// the memory watcher. Terminating leftovers honours their
// termination-grace-period-secs, so New may take that long.
func New(cfg Config) (*Scheduler, error) {
	if err := checkHost(runtime.GOOS); err != nil {
		return nil, err
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.WorkDir, folderMode); err != nil {
		return nil, fmt.Errorf("shell: work folder %s: %w", cfg.WorkDir, err)
	}
	lock, err := lockWorkDir(cfg.WorkDir)
	if err != nil {
		return nil, err
	}
	exits, err := localproc.NewExits()
	if err != nil {
		_ = lock.Close()
		return nil, fmt.Errorf("shell: waiting for instances' exits: %w", err)
	}
	s := &Scheduler{
		cfg:      cfg,
		log:      cfg.Logger,
		env:      newEnvBase(cfg.Cluster, cfg.Password),
		runner:   osuser.NewRunner(),
		probe:    healthcheck.New(cfg.HealthCheckTimeout, "waiter-shell-scheduler"),
		bootID:   readBootID(),
		lock:     lock,
		services: map[string]*service{},
		live:     map[*instance]struct{}{},
		ports:    localproc.NewPortPool(cfg.PortRange[0], cfg.PortRange[1], cfg.PortGracePeriod, Host, cfg.Now),
		stop:     make(chan struct{}),
		stopped:  make(chan struct{}),
		exits:    exits,
	}
	s.recoverWorkDir()
	s.spawn(s.watchMemory)
	return s, nil
}

// lockWorkDir takes an exclusive flock on the work folder. The kernel
// drops it when the holder dies, so a crashed router never blocks its
// successor, while two live routers cannot share (and clean up) one folder.
func lockWorkDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("shell: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrWorkDirLocked, dir)
		}
		return nil, fmt.Errorf("shell: lock %s: %w", path, err)
	}
	return f, nil
}

// Close stops every instance (SIGTERM, then SIGKILL after the service's
// termination-grace-period-secs) and waits until no process is left.
func (s *Scheduler) Close() error {
	return s.Shutdown(context.Background())
}

// Shutdown stops every instance like Close. When ctx ends first, the
// remaining process groups get SIGKILL at once; Shutdown still waits for
// them to be gone and then returns ctx's error. Later calls wait for the
// first to finish and return nil: by then nothing runs.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	first := false
	s.shutOnce.Do(func() { first = true })
	if !first {
		<-s.stopped
		return nil
	}

	s.mu.Lock()
	s.closed = true
	close(s.stop)
	for _, svc := range s.services {
		svc.stopRetry()
		for _, in := range svc.instances {
			s.beginStop(in, svc.spec.TerminationGracePeriod)
		}
	}
	pending := make([]*instance, 0, len(s.live))
	for in := range s.live {
		pending = append(pending, in)
	}
	s.mu.Unlock()

	var err error
	for _, in := range pending {
		select {
		case <-in.done:
		case <-ctx.Done():
			err = fmt.Errorf("shell: shutdown cut termination grace short: %w", ctx.Err())
		}
		if err != nil {
			break
		}
	}
	if err != nil {
		for _, in := range pending {
			select {
			case <-in.done:
				continue // gone: its group id is no longer ours to signal
			default:
			}
			if e := procgroup.Signal(in.pid, syscall.SIGKILL); e != nil {
				s.log.Error("shell: kill on shutdown", "instance", in.id, "pgid", in.pid, "err", e)
			}
		}
		for _, in := range pending {
			<-in.done
		}
	}
	s.wg.Wait()
	_ = s.exits.Close() // every child it watched has been reaped

	s.subs.Close()
	// Unlock before closing: the flock belongs to the open file, which a
	// process forked meanwhile (another scheduler starting an instance,
	// between its fork and its exec) holds too until it execs; closing
	// alone left the folder locked for that moment, and a successor's
	// New could fail (TestWorkDirIsLocked did, under -race).
	_ = syscall.Flock(int(s.lock.Fd()), syscall.LOCK_UN)
	_ = s.lock.Close()
	close(s.stopped)
	return err
}

// spawn runs f on a goroutine that Shutdown waits for.
func (s *Scheduler) spawn(f func()) { go s.counted(f)() }

// counted returns f counted by Shutdown's wait from now until it has
// run, as spawn counts a goroutine: for a callback another goroutine
// calls later (localproc.Exits'), which must run exactly once.
func (s *Scheduler) counted(f func()) func() {
	s.wg.Add(1)
	return func() {
		defer s.wg.Done()
		f()
	}
}

// lookup returns the service with id, or an error naming op. s.mu held.
func (s *Scheduler) lookup(op, serviceID string) (*service, error) {
	if s.closed {
		return nil, fmt.Errorf("shell: %s %s: %w", op, serviceID, ErrClosed)
	}
	svc := s.services[serviceID]
	if svc == nil {
		return nil, fmt.Errorf("shell: %s %s: %w", op, serviceID, ErrServiceNotFound)
	}
	return svc, nil
}

// saveService records svc's spec and requested count for a restarted
// router. A failure only matters after a crash, so it is logged, not
// returned. s.mu held.
func (s *Scheduler) saveService(svc *service) {
	rec := serviceRecord{Version: recordVersion, Spec: svc.spec, Requested: svc.requested}
	if err := writeJSON(filepath.Join(svc.dir, serviceRecordName), rec); err != nil {
		s.log.Error("shell: save service record", "service", svc.spec.ServiceID, "err", err)
	}
}

// scheduleRetry launches svc's missing instances after the retry
// interval, unless a retry is already pending. s.mu held.
func (s *Scheduler) scheduleRetry(svc *service) {
	if svc.retry != nil || s.closed || svc.deleted {
		return
	}
	svc.retry = time.AfterFunc(s.cfg.FailedInstanceRetryInterval, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		svc.retry = nil
		if s.closed || svc.deleted {
			return
		}
		if err := s.reconcile(svc); err != nil {
			s.log.Error("shell: relaunch", "service", svc.spec.ServiceID, "err", err)
		}
	})
}

func (svc *service) stopRetry() {
	if svc.retry != nil {
		svc.retry.Stop()
		svc.retry = nil
	}
}

// reconcile launches instances until svc has as many as requested. On a
// launch error it schedules a retry and returns the error, except when
// the run-as-user cannot be used here: that is not a failure of the call
// but of the service, so it becomes the service's deployment error, which
// the engine turns into an immediate 503 for its requests. The retry
// looks the user up again, so an account added meanwhile clears it.
// s.mu held.
func (s *Scheduler) reconcile(svc *service) error {
	for len(svc.instances) < svc.requested {
		if _, err := s.launch(svc); err != nil {
			s.scheduleRetry(svc)
			var userErr *osuser.Error
			if errors.As(err, &userErr) {
				msg := userErr.Error()
				if errors.Is(userErr, osuser.ErrUnreachable) {
					msg += "; the shell scheduler's work folder and its parents must be searchable by every run-as-user"
				}
				s.setDeployErr(svc, msg)
				return nil
			}
			return err
		}
	}
	s.setDeployErr(svc, "")
	return nil
}

// setDeployErr records why svc cannot launch ("" when it can) and tells
// subscribers when that changes. s.mu held.
func (s *Scheduler) setDeployErr(svc *service, msg string) {
	if svc.deployErr == msg {
		return
	}
	svc.deployErr = msg
	if msg != "" {
		s.log.Error("shell: service cannot launch", "service", svc.spec.ServiceID, "run-as-user", svc.spec.RunAsUser, "err", msg)
	}
	s.notify(svc.spec.ServiceID)
}
