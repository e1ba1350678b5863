package router

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/waiter-go/waiter"
	"github.com/waiter-go/waiter/engine"
	"github.com/waiter-go/waiter/engine/syncer"
)

// Driver owns an engine, behind the syncer's rules (engine/syncer), and
// serialises every event through one mutex: each caller runs its event on
// its own goroutine while holding it, so a request's admission and
// release cost no goroutine hand-off (the proxy spent most of its time
// switching threads when events went through a channel to a loop
// goroutine). Run owns the wake-up timer and the pollers. Its exported
// methods are safe from any goroutine.
type Driver struct {
	cfg   Config
	sync  *syncer.Syncer
	eng   *engine.Engine // the syncer's, for read-only queries
	sched engine.Scheduler
	clk   clock.Clock
	log   *slog.Logger

	// mu serialises everything that touches the syncer and the fields
	// below marked as guarded by it.
	mu      sync.Mutex
	queued  atomic.Int64  // callers waiting for mu (the old queue length)
	quit    chan struct{} // closed when the driver stops taking work
	started atomic.Bool
	nextID  atomic.Uint64
	// pollNow wakes the poller when the syncer announced a new poll time.
	pollNow chan struct{}
	// polling is held for the whole of a poll: the syncer's schedule
	// has one poll in flight at a time, and a second one started while
	// another runs (a test's, or an operator's) would let the first's
	// end re-announce a later poll over one asked for at once.
	polling sync.Mutex
	ops     *opQueue
	opCtx   context.Context
	opStop  context.CancelFunc

	metrics *metrics

	// Guarded by mu.
	reqs map[engine.RequestID]reqState
	// admitting is the request whose arrival Admit is stepping now, and
	// admitRes its answer when that same step gave one (admitDone).
	admitting engine.RequestID
	admitDone bool
	admitRes  admitResult
	// services are the driver's records of the services the engine knows.
	services map[string]*svcRecord
	// kills are operator kills waiting for their scheduler call.
	kills    map[instanceKey]chan error
	pending  []engine.Event
	timer    *clock.Timer
	nextWake time.Time
	// now is the time of the events drainAt is stepping, for execute.
	now      time.Time
	lastPoll time.Time
	pollErr  string
	// totals is the history of the sums over every service, and
	// deployErrors the recent deployment errors, oldest first.
	totals       *history
	deployErrors []waiter.DeploymentErrorRecord
	// cluster is what the membership last said (cluster.go).
	cluster clusterState
	// capture collects the engine's answers to a peer's question while
	// it is stepped (eject.go).
	capture bool
	answers []engine.Action
	// peerCalls are inter-router calls in flight (eject.go).
	peerCalls sync.WaitGroup
}

// reqState is one request the engine has not finished. It is a value in
// the map, so admitting a request allocates no record. reply is the
// channel its handler waits on while it is queued, notify the callback
// of an AdmitAsync caller instead (both nil once answered).
type reqState struct {
	service    string
	admitted   time.Time
	dispatched bool
	reply      chan admitResult
	notify     func(waiter.Grant, error)
}

// instanceKey names one instance of one service.
type instanceKey struct{ service, instance string }

// ErrStopped is what calls get once the driver has stopped.
var ErrStopped = &engine.Error{Code: engine.CodeUnavailable, Message: "Router is shutting down"}

// New returns a driver for sched; Run must be called to start it.
func New(cfg Config, sched engine.Scheduler, clk clock.Clock) *Driver {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	eng := engine.New(cfg.Engine)
	d := &Driver{
		cfg: cfg, eng: eng, sched: sched, clk: clk, log: cfg.Logger,
		sync: syncer.New(eng, syncer.Config{PollInterval: cfg.PollInterval, FastPollInterval: cfg.FastPollInterval,
			ForceKillAfter: cfg.ForceKillAfter, KeepViews: true}),
		quit: make(chan struct{}), pollNow: make(chan struct{}, 1),
		ops: newOpQueue(cfg.Workers), opCtx: ctx, opStop: cancel,
		reqs:     map[engine.RequestID]reqState{},
		services: map[string]*svcRecord{}, kills: map[instanceKey]chan error{},
	}
	d.metrics = newMetrics(func() int { return int(d.queued.Load()) })
	// The wake-up timer exists before Run: events may arrive first.
	d.timer = d.clk.Timer(time.Hour)
	d.timer.Stop()
	return d
}

// Run is the driver loop. It returns when ctx ends, after refusing every
// waiting request and letting scheduler calls in flight finish (their
// contexts are canceled). It does not stop the scheduler's instances: the
// caller does that through the scheduler itself, after Run returns.
func (d *Driver) Run(ctx context.Context) error {
	if !d.started.CompareAndSwap(false, true) {
		return errors.New("router: Run called twice")
	}
	d.do(func() { d.apply(d.sync.Start(d.clk.Now())) })
	pollCtx, stopPoll := context.WithCancel(ctx)
	var pollers sync.WaitGroup
	pollers.Add(1)
	go func() {
		defer pollers.Done()
		d.pollLoop(pollCtx)
	}()
	if n, ok := d.sched.(notifier); ok {
		pollers.Add(1)
		go func() {
			defer pollers.Done()
			d.watchNotifications(pollCtx, n)
		}()
	}
	pollers.Add(1)
	go func() {
		defer pollers.Done()
		d.probeLag(pollCtx)
	}()
	if m := d.cfg.Membership; m != nil {
		pollers.Add(1)
		go func() {
			defer pollers.Done()
			d.watchMembership(pollCtx, m)
		}()
	}
	pollers.Add(1)
	go func() {
		defer pollers.Done()
		d.sampleLoop(pollCtx)
	}()

	for {
		select {
		case <-d.timer.C:
			d.do(func() { d.step(engine.Event{Kind: engine.EvTick}) })
		case <-ctx.Done():
			stopPoll()
			pollers.Wait()
			d.shutdown()
			return nil
		}
	}
}

// shutdown refuses waiting requests, stops taking work and waits for the
// scheduler calls in flight.
func (d *Driver) shutdown() {
	d.mu.Lock()
	for id, r := range d.reqs {
		if r.answer(admitResult{err: ErrStopped}) {
			d.reqs[id] = r
		}
	}
	close(d.quit)
	d.mu.Unlock()
	// Scheduler calls finishing now find quit closed and drop their
	// results; waiting for them outside mu cannot deadlock.
	d.opStop()
	d.ops.wait()
	d.peerCalls.Wait()
	d.timer.Stop()
}

// do runs f holding the driver's lock; false once the driver has
// stopped. f must not call do: the lock is not reentrant.
func (d *Driver) do(f func()) bool {
	if !d.lock() {
		return false
	}
	defer d.mu.Unlock()
	f()
	return true
}

// lock takes the driver's lock, counting the wait in queued (the
// lock-wait gauge); false, with the lock given back, once the driver
// has stopped.
func (d *Driver) lock() bool {
	d.queued.Add(1)
	d.mu.Lock()
	d.queued.Add(-1)
	return d.stillRunning()
}

// lockTimed is lock for an admission, with the times it needs: came,
// when the caller came to the lock (its wait for the lock is queue time
// too), and at, read under the lock for the arrival's step (events are
// stepped in the order of the lock, so their times never go back). A
// free lock, as it nearly always is, takes one clock read for both.
func (d *Driver) lockTimed() (came, at time.Time, ok bool) {
	if d.mu.TryLock() {
		if !d.stillRunning() {
			return time.Time{}, time.Time{}, false
		}
		at = d.clk.Now()
		return at, at, true
	}
	came = d.clk.Now()
	if !d.lock() {
		return came, came, false
	}
	return came, d.clk.Now(), true
}

// stillRunning is true while the driver runs; once stopped, it gives the
// lock the caller holds back and is false.
func (d *Driver) stillRunning() bool {
	select {
	case <-d.quit:
		d.mu.Unlock()
		return false
	default:
		return true
	}
}

// call runs f holding the driver's lock; false once stopped. It is do,
// kept as its own name where the caller waits for f's result.
func (d *Driver) call(f func()) bool { return d.do(f) }

// step feeds ev to the syncer and carries out what it returns.
func (d *Driver) step(ev engine.Event) { d.stepAt(d.clk.Now(), ev) }

// stepAt is step at now, a time the caller read under the lock.
func (d *Driver) stepAt(now time.Time, ev engine.Event) {
	d.pending = append(d.pending, ev)
	d.drainAt(now)
}

// apply carries out the syncer's actions, then steps the events they
// queued (a dispatch nobody waits for gives its slot back). The syncer's
// slice is only valid until its next call, hence the queue.
func (d *Driver) apply(acts []syncer.Action) {
	d.now = d.clk.Now()
	for i := range acts {
		d.execute(acts[i])
	}
	d.drainAt(d.now)
}

// drainAt steps the queued events (execute may queue more) at now, the
// clock read once for every event it steps: they are all stepped in the
// same instant (holding the lock, with nothing in between that waits),
// and a request's path reads the clock once for its event instead of
// once per event and action.
func (d *Driver) drainAt(now time.Time) {
	d.now = now
	for i := 0; i < len(d.pending); i++ {
		acts := d.sync.Step(now, d.pending[i])
		for j := range acts {
			d.execute(acts[j])
		}
	}
	d.pending = d.pending[:0]
}
