package procs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/waiter-go/waiter/internal/localproc"
	"github.com/waiter-go/waiter/internal/procgroup"
	"github.com/waiter-go/waiter/sim/marathon"
)

// Defaults for zero Config fields.
const (
	// DefaultHost is where tasks run and are reached: this machine.
	DefaultHost = "127.0.0.1"
	// DefaultPortRangeStart and DefaultPortRangeEnd are a Mesos agent's
	// default ports resource, [31000-32000].
	DefaultPortRangeStart = 31000
	DefaultPortRangeEnd   = 32000
	// DefaultPortRest keeps a released port unused for a while.
	DefaultPortRest = 10 * time.Second
	// DefaultKillGrace is the SIGTERM-to-SIGKILL wait when an app sets no
	// taskKillGracePeriodSeconds (Mesos's executor shutdown grace).
	DefaultKillGrace = 3 * time.Second
	// killWait bounds the wait for a group to vanish after SIGKILL.
	killWait = 30 * time.Second
)

// ErrClosed: the runtime was closed.
var ErrClosed = errors.New("procs: runtime closed")

// Sink receives what the runtime learns about tasks. It is called from
// the runtime's goroutines, never from inside a Runtime method, and
// applies the news to the model under the model's lock
// (Model.HealthCheckDone, Model.ProgramEnded).
type Sink interface {
	CheckDone(ref marathon.TaskRef, r marathon.CheckResult)
	ProgramEnded(ref marathon.TaskRef, f marathon.Failure)
}

// Config configures a Runtime; zero fields take the defaults above.
type Config struct {
	// WorkDir holds a sandbox folder per task. Empty: a temporary folder
	// that Close removes.
	WorkDir string
	// PortRange is the inclusive range task ports come from.
	PortRange [2]int
	// PortRest keeps a released port out of use for this long.
	PortRest time.Duration
	// KillGrace replaces DefaultKillGrace.
	KillGrace time.Duration
	// Logger receives launches, exits and kills; nil discards them.
	Logger *slog.Logger
}

// Runtime runs tasks as local process groups; it implements
// marathon.Runtime. It is safe for concurrent use.
type Runtime struct {
	cfg     Config
	log     *slog.Logger
	sink    Sink
	madeDir bool
	client  *http.Client
	ctx     context.Context // ends in-flight probes at Close
	cancel  context.CancelFunc

	mu     sync.Mutex
	closed bool
	procs  map[string]*proc   // running tasks by id
	live   map[*proc]struct{} // every group that may still run
	ports  *localproc.PortPool
	wg     sync.WaitGroup
}

var _ marathon.Runtime = (*Runtime)(nil)

// New returns a runtime that reports to sink.
func New(cfg Config, sink Sink) (*Runtime, error) {
	if sink == nil {
		return nil, errors.New("procs: a Sink is required")
	}
	if cfg.PortRange == [2]int{} {
		cfg.PortRange = [2]int{DefaultPortRangeStart, DefaultPortRangeEnd}
	}
	if lo, hi := cfg.PortRange[0], cfg.PortRange[1]; lo < 1 || hi > 65535 || lo > hi {
		return nil, fmt.Errorf("procs: PortRange [%d, %d] must satisfy 1 <= start <= end <= 65535", lo, hi)
	}
	if cfg.PortRest <= 0 {
		cfg.PortRest = DefaultPortRest
	}
	if cfg.KillGrace <= 0 {
		cfg.KillGrace = DefaultKillGrace
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Runtime{cfg: cfg, log: cfg.Logger, sink: sink, client: newHTTPClient(),
		procs: map[string]*proc{}, live: map[*proc]struct{}{},
		ports: localproc.NewPortPool(cfg.PortRange[0], cfg.PortRange[1], cfg.PortRest, DefaultHost, time.Now)}
	if r.cfg.WorkDir == "" {
		dir, err := os.MkdirTemp("", "marathon-sim-")
		if err != nil {
			return nil, fmt.Errorf("procs: work folder: %w", err)
		}
		r.cfg.WorkDir, r.madeDir = dir, true
	} else if err := os.MkdirAll(r.cfg.WorkDir, 0o755); err != nil {
		return nil, fmt.Errorf("procs: work folder %s: %w", r.cfg.WorkDir, err)
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r, nil
}

// WorkDir is the folder that holds the tasks' sandboxes.
func (r *Runtime) WorkDir() string { return r.cfg.WorkDir }

// Start launches t's program (marathon.Runtime).
func (r *Runtime) Start(a *marathon.App, t *marathon.Task) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	ports, err := r.ports.Reserve(max(a.Spec.Ports, 1))
	if err != nil {
		return err
	}
	p, err := r.launch(a, t, ports)
	if err != nil {
		r.ports.Release(ports)
		return err
	}
	t.Ports = ports
	r.procs[t.ID], r.live[p] = p, struct{}{}
	r.log.Info("procs: launched", "task", t.ID, "pid", p.pid, "ports", ports)
	r.spawn(func() { r.wait(p) })
	return nil
}

// Stop terminates t's program (marathon.Runtime).
func (r *Runtime) Stop(t *marathon.Task) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.procs[t.ID]; p != nil {
		r.beginStop(p)
	}
}

// Check runs one health check of t in the background (marathon.Runtime).
func (r *Runtime) Check(a *marathon.App, t *marathon.Task, ref marathon.TaskRef) {
	pr, err := probeOf(a, t, t.Host)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.spawn(func() {
		res := marathon.CheckResult{Cause: fmt.Sprint(err)}
		if err == nil {
			res = pr.run(r.ctx, r.client)
		}
		r.sink.CheckDone(ref, res)
	})
}

// Close stops every task's group (SIGTERM, then SIGKILL after its grace)
// and waits until none is left and every goroutine has ended; when ctx
// ends first, the groups left get SIGKILL at once. It removes the work
// folder if the runtime made it. Later calls do nothing.
func (r *Runtime) Close(ctx context.Context) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.cancel()
	for _, p := range r.procs {
		r.beginStop(p)
	}
	pending := make([]*proc, 0, len(r.live))
	for p := range r.live {
		pending = append(pending, p)
	}
	r.mu.Unlock()

	var err error
wait:
	for _, p := range pending {
		select {
		case <-p.done:
		case <-ctx.Done():
			err = fmt.Errorf("procs: close cut the kill grace short: %w", ctx.Err())
			break wait
		}
	}
	if err != nil {
		for _, p := range pending {
			select {
			case <-p.done:
			default:
				_ = procgroup.Signal(p.pid, syscall.SIGKILL)
			}
		}
	}
	r.wg.Wait()
	if r.madeDir {
		if e := os.RemoveAll(r.cfg.WorkDir); e != nil && err == nil {
			err = fmt.Errorf("procs: remove work folder: %w", e)
		}
	}
	return err
}

// spawn runs f on a goroutine that Close waits for. r.mu held.
func (r *Runtime) spawn(f func()) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		f()
	}()
}
