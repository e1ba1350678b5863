package shell

import (
	"errors"

	"github.com/waiter-go/waiter/internal/localproc"
)

// Errors the scheduler reports. Each returned error wraps one of them and
// names the service or instance it concerns.
var (
	// ErrClosed means the scheduler was shut down.
	ErrClosed = errors.New("shell: scheduler is closed")
	// ErrServiceNotFound means the scheduler runs no service with that id.
	ErrServiceNotFound = errors.New("shell: no such service")
	// ErrInstanceNotFound means the service has no live instance with that
	// id (it never existed, already exited, or is being stopped).
	ErrInstanceNotFound = errors.New("shell: no such instance")
	// ErrInvalidService means the description cannot run as local
	// processes (a cmd-type other than shell, no command, an id that is
	// not a safe folder name, a health-check port index past the ports).
	ErrInvalidService = errors.New("shell: service cannot run on the shell scheduler")
	// ErrNoPorts means the port range has too few ports that are neither
	// reserved, in their grace period, nor taken by another program. It
	// is the port pool's own error (internal/localproc).
	ErrNoPorts = localproc.ErrNoPorts
	// ErrWorkDirLocked means another scheduler (another router) already
	// uses the work folder; two would kill each other's leftovers.
	ErrWorkDirLocked = errors.New("shell: work folder is used by another scheduler")
	// ErrUnsupportedPlatform means the host is not Linux. The scheduler
	// follows its instances through /proc (their state, process group,
	// start time and memory, and after a restart their identity) and asks
	// the kernel's socket tables who holds an instance's port before
	// calling it healthy; elsewhere it could do neither.
	ErrUnsupportedPlatform = errors.New("shell: the shell scheduler runs only on Linux")
)
