package shell

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"github.com/waiter-go/waiter/internal/localproc"
	"os"
	"path/filepath"
	"syscall"

	"github.com/waiter-go/waiter/internal/osuser"
	"github.com/waiter-go/waiter/internal/procgroup"
)

// shellPath runs every command (cmd-type shell). POSIX guarantees it;
// bash is not needed.
const shellPath = "/bin/sh"

// launch starts one instance of svc: it resolves the run-as-user,
// reserves ports, makes the instance folder, starts `/bin/sh -c cmd`
// there as that user and as the leader of a new process group, and
// writes instance.json. A run-as-user that cannot be used here is an
// *osuser.Error. s.mu held, so that no launch can slip past Shutdown.
func (s *Scheduler) launch(svc *service) (*instance, error) {
	if s.closed {
		return nil, fmt.Errorf("shell: launch %s: %w", svc.spec.ServiceID, ErrClosed)
	}
	as, cred, err := s.runAs(svc)
	if err != nil {
		return nil, fmt.Errorf("shell: launch %s: %w", svc.spec.ServiceID, err)
	}
	id := newInstanceID(svc.spec.ServiceID)
	ports, err := s.ports.Reserve(svc.spec.Ports)
	if err != nil {
		return nil, fmt.Errorf("shell: launch %s: %w", id, err)
	}
	in, err := s.start(svc, id, ports, as, cred)
	if err != nil {
		s.ports.Release(ports)
		_ = os.RemoveAll(filepath.Join(svc.dir, id))
		return nil, fmt.Errorf("shell: launch %s: %w", id, err)
	}
	s.log.Info("shell: launched", "service", svc.spec.ServiceID, "instance", id, "pid", in.pid, "ports", ports)
	s.track(in)
	return in, nil
}

// runAs resolves the account svc's instances run as and the credential
// to start them with (nil: as the router itself). An account other than
// the router's must be able to reach the service folder, where its
// instance folders are made. s.mu held.
func (s *Scheduler) runAs(svc *service) (osuser.Account, *syscall.Credential, error) {
	as, cred, err := s.runner.Resolve(svc.spec.RunAsUser)
	if err != nil || cred == nil {
		return as, cred, err
	}
	if err := as.CheckReach(svc.dir); err != nil {
		return as, nil, err
	}
	return as, cred, nil
}

// start makes the service folder and starts the instance in a fresh
// folder inside it: `/bin/sh -c cmd`, as the run-as-user when cred is set
// (internal/localproc gives it the folder and its output files first).
func (s *Scheduler) start(svc *service, id string, ports []int, as osuser.Account, cred *syscall.Credential) (*instance, error) {
	dir := filepath.Join(svc.dir, id)
	if err := os.MkdirAll(svc.dir, folderMode); err != nil {
		return nil, err
	}
	cmd, err := localproc.Start(localproc.Spec{
		Argv:       []string{shellPath, "-c", svc.spec.Cmd},
		Env:        s.env.environment(&svc.spec, as, dir, ports),
		Dir:        dir,
		DirMode:    instanceFolderMode,
		Credential: cred,
		User:       as.Name,
	})
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	pid := cmd.Process.Pid
	if s.spawned != nil {
		s.spawned(pid)
	}
	// The leader is our child and is not reaped before cmd.Wait, so its
	// stat is readable even if it has already exited.
	st, statErr := readStat(pid)
	rec := instanceRecord{
		Version: recordVersion, ServiceID: svc.spec.ServiceID, InstanceID: id,
		PID: pid, PGID: pid, StartTicks: st.startTicks, BootID: s.bootID,
		Ports: ports, StartedAt: now, Argv: cmd.Args,
	}
	err = statErr
	if err == nil {
		err = writeJSON(filepath.Join(dir, instanceRecordName), rec)
	}
	if err != nil {
		// Without a record a crash would orphan the group: refuse it.
		_ = procgroup.Signal(pid, syscall.SIGKILL)
		_ = cmd.Wait()
		return nil, err
	}
	in := newInstance(svc, id, ports, pid, st.startTicks, now, now)
	in.proc = cmd.Process
	return in, nil
}

// newInstanceID is Waiter's <service-id>.<unique>.
func newInstanceID(serviceID string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return serviceID + "." + hex.EncodeToString(b[:])
}
