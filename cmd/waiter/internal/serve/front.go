package serve

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
	"github.com/waiter-go/waiter/cmd/waiter/internal/loopfront"
	"github.com/waiter-go/waiter/internal/connpark"
	"github.com/waiter-go/waiter/internal/h1guard"
	"github.com/waiter-go/waiter/internal/h1serve"
	"github.com/waiter-go/waiter/internal/rawio"
)

// front is the cleartext listener with the fast HTTP/1.1 path
// (fast-http1): every connection starts on internal/h1serve, which
// serves plain proxied requests with less per-request machinery than
// net/http's server; a head it does not take (an API call, an upgrade or
// websocket, h2c, a chunked or large body, Expect, HTTP/1.0, anything
// the guard refuses) hands the connection, from that head on, to
// net/http's server through Accept, which serves it for the rest of its
// life. Both paths run the same handler, so a request is answered the
// same way on either; h1guard checks every head on both.
type front struct {
	ln      net.Listener
	fast    *h1serve.Server
	edge    *waiterhttp.Server
	maxHead int

	// fastHeads counts heads the fast path took, handoffs connections
	// handed to net/http (tests read them).
	fastHeads, handoffs atomic.Int64
	// idleWorkers counts workers waiting for a connection (worker).
	idleWorkers atomic.Int64
	// lot holds keep-alive connections idle for parkAfter until their
	// next request, with no goroutine each; nil where parking is not
	// supported.
	lot *connpark.Lot

	// loops, when set (the event-loop setting), take every new
	// connection; they hand the ones they do not serve to dispatch.
	loops *loopfront.Front

	std       chan net.Conn
	idle      chan net.Conn // to a worker waiting for its next connection
	done      chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex
	err       error
}

// onFront, when set (tests), is given each front Run builds.
var onFront func(*front)

// parkAfter is how long a keep-alive connection of the fast path waits
// for its next request on its own goroutine before it is parked
// (internal/connpark). The goroutine keeps the stack the request path
// grew, 8 KB of the 12.8 KB an idle connection cost (nginx: 0.6 KB);
// parked, it costs none. A second is long enough that a busy
// connection never parks (a park and a wake are two epoll_ctl calls and
// a goroutine handoff, a few microseconds), short enough that a pool of
// idle connections soon costs its sockets and little more.
const parkAfter = time.Second

// newFront builds the front; intercepts tells the requests h's wrappers
// serve themselves instead of the edge (the loops hand those off).
func newFront(ln net.Listener, cfg config.Config, edge *waiterhttp.Server, h http.Handler, intercepts func(*http.Request) bool,
	log *slog.Logger) *front {
	f := &front{
		ln: ln, edge: edge, maxHead: cfg.MaxHeaderBytes,
		fast: &h1serve.Server{Handler: h, ReadHeaderTimeout: cfg.ReadHeaderTimeout, IdleTimeout: cfg.IdleTimeout,
			Stop: h1guard.ErrHandoff, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug),
			// The edge keeps each request's state in the connection's
			// context, saving a request copy per request, and its
			// records for reuse once the response is written.
			ConnContext: edge.ConnContext, RequestDone: edge.RequestDone, Panicked: edge.CountPanic},
		std: make(chan net.Conn), idle: make(chan net.Conn), done: make(chan struct{}),
	}
	if cfg.EventLoop {
		loops, err := loopfront.New(loopfront.Config{Loops: cfg.EventLoops, ReadHeaderTimeout: cfg.ReadHeaderTimeout, IdleTimeout: cfg.IdleTimeout,
			MaxHeaderBytes: cfg.MaxHeaderBytes, Handoff: f.handedOff,
			// As when run's Accept fails: net/http's Serve returns the
			// error, and Run with it.
			AcceptFailed: f.stop, Logger: log, Contained: edge.CountPanic}, loopEdge{edge, intercepts})
		if err != nil {
			// No loops here (not Linux, or no epoll set to be had): the
			// goroutine front serves everything, as with event-loop: false.
			log.Warn("waiter serve: serving without event loops", "error", err)
		} else {
			f.loops = loops
		}
	}
	lot, err := connpark.New(f.woken, closeConn)
	if err != nil {
		log.Debug("waiter serve: idle connections keep their goroutines", "error", err)
		return f
	}
	f.lot, f.fast.ParkAfter = lot, parkAfter
	return f
}

// loopEdge is the edge as the loops see it: a request one of the
// handler's wrappers serves is not theirs.
type loopEdge struct {
	*waiterhttp.Server
	intercepts func(*http.Request) bool
}

func (e loopEdge) LoopRoutable(r *http.Request, fields []h1serve.Field) bool {
	return !e.intercepts(r) && e.Server.LoopRoutable(r, fields)
}

// woken serves a parked connection its next request woke: on the loops
// when there are some (a connection the loops handed off, say for the
// first request of a service not yet started, comes back to them once it
// idled long enough to park), else on a worker.
func (f *front) woken(c net.Conn) {
	if s, ok := c.(*h1guard.Split); ok && f.loops != nil {
		conn := s.Conn
		s.Free() // parked between requests: it holds nothing
		f.loops.Serve(conn)
		return
	}
	f.dispatch(c)
}

// handedOff serves a connection the event loops gave up, from the bytes
// they read of it (pending) on.
func (f *front) handedOff(c net.Conn, pending []byte) {
	s := h1guard.NewSplit(rawio.Wrap(c), f.route, f.maxHead)
	s.HeadTimeout = f.fast.ReadHeaderTimeout
	s.Prefill(pending)
	f.dispatch(s)
}

// shutdown drains the fast front's connections (the loops' and the
// goroutines'), closing those left when ctx ends.
func (f *front) shutdown(ctx context.Context, log *slog.Logger) {
	if f.loops != nil {
		f.loops.Shutdown(ctx)
	}
	if err := f.fast.Shutdown(ctx); err != nil {
		log.Warn("waiter serve: fast-path requests still running after the drain timeout; closing their connections", "error", err)
	}
	f.fast.Close()
}

// route takes a plain HTTP/1.1 head of a proxied request. A head that
// describes env, metadata or params by headers goes to net/http, whose
// guarded connection hands the names as sent to the service id rules.
func (f *front) route(h *h1guard.Head) bool {
	if !h.Plain(waiterhttp.FastMaxBody) || h.OrderedHeaders() {
		return false
	}
	target, ok := h.Target()
	if !ok {
		return false
	}
	host, ok := h.Host()
	if !ok {
		return false
	}
	if !f.edge.Proxied(string(target), string(host), h.ServiceHeaders()) {
		return false
	}
	f.fastHeads.Add(1)
	return true
}

// run accepts connections until the listener closes, unless the loops
// accept them themselves (loopfront's Listen: until Close).
func (f *front) run() {
	if f.loops != nil && f.loops.Listen(f.ln) {
		return
	}
	var backoff time.Duration
	for {
		c, err := f.ln.Accept()
		if err != nil {
			if h1guard.IsTimeout(err) {
				// Out of file descriptors and the like: wait, as
				// net/http's server does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				select {
				case <-time.After(backoff):
					continue
				case <-f.done:
				}
			}
			f.stop(err)
			return
		}
		backoff = 0
		if f.loops != nil {
			f.loops.Serve(c)
			continue
		}
		f.dispatch(c)
	}
}

// dispatch serves c, a new connection or a parked one woken by its next
// request, on a waiting worker or a new one.
func (f *front) dispatch(c net.Conn) {
	if f.claimIdle() {
		select {
		case f.idle <- c: // a waiting worker takes it (worker)
		case <-f.done:
			closeConn(c)
		}
		return
	}
	go f.worker(c)
}

// claimIdle takes one of the waiting workers for the next connection
// handed on f.idle; it reports false when none waits. idleWorkers counts
// the waiting workers not claimed yet: a worker that counted itself may
// not be receiving yet, and a non-blocking send then failed and started
// a worker more (TestFastFrontWorkersServeConnectionsInTurn saw two
// waiting after connections in turn).
func (f *front) claimIdle() bool {
	for {
		n := f.idleWorkers.Load()
		if n == 0 {
			return false
		}
		if f.idleWorkers.CompareAndSwap(n, n-1) {
			return true
		}
	}
}

// workerIdle is how long a worker that served a connection waits for
// another before it ends; at most maxIdleWorkers wait (each holds its
// grown stack, some KB: a burst of closed connections leaves no more).
const (
	workerIdle     = 10 * time.Second
	maxIdleWorkers = 256
)

// worker serves c, then the connections run hands it while it waits.
// A new goroutine per connection starts on a small stack that serving
// a request grows by copying it several times (runtime.morestack and
// copystack, with the goroutine's creation and exit, were about 4 % of
// the CPU of a new connection per request); a worker's stack has grown
// already, as fasthttp's server keeps its workers for the same reason.
func (f *front) worker(c net.Conn) {
	var t *time.Timer
	for {
		f.serveConn(c)
		if !f.countIdle() {
			return
		}
		if t == nil {
			t = time.NewTimer(workerIdle)
		} else {
			t.Reset(workerIdle)
		}
		select {
		case c = <-f.idle: // claimed (claimIdle): counted out already
			continue
		case <-t.C:
		case <-f.done:
		}
		t.Stop()
		if !f.claimIdle() {
			// Every waiting worker is claimed: a connection is on its
			// way to one of them, maybe this one, which takes it.
			select {
			case c = <-f.idle:
				continue
			case <-f.done:
			}
		}
		return
	}
}

// countIdle counts a worker as waiting, unless maxIdleWorkers are.
func (f *front) countIdle() bool {
	for {
		n := f.idleWorkers.Load()
		if n >= maxIdleWorkers {
			return false
		}
		if f.idleWorkers.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// serveConn serves c, a new connection or a parked one (its Split), on
// the fast path until it ends, is handed to net/http, or parks.
func (f *front) serveConn(c net.Conn) {
	s, woken := c.(*h1guard.Split)
	if !woken {
		s = h1guard.NewSplit(rawio.Wrap(c), f.route, f.maxHead)
		s.HeadTimeout = f.fast.ReadHeaderTimeout
	}
	var end h1serve.End
	raw, parkable := s.Conn.(syscall.Conn)
	if parkable && f.lot != nil {
		end = f.fast.ServeParkable(s)
	} else {
		end = f.fast.ServeConn(s)
	}
	switch {
	case !end.Park.IsZero():
		if f.lot.Park(s, raw, end.Park) == nil {
			return // the lot dispatches it again, or closes it
		}
	case end.Handoff:
		if rc, ok := s.Handoff(); ok {
			conn := s.Conn
			s.Free()
			f.handoffs.Add(1) // before net/http can answer on it
			select {
			case f.std <- rc:
				return
			case <-f.done:
			}
			_ = conn.Close()
			return
		}
	}
	closeConn(s)
}

// closeConn closes c, a new connection or a Split, and frees the Split.
func closeConn(c net.Conn) {
	if s, ok := c.(*h1guard.Split); ok {
		c = s.Conn
		s.Free()
	}
	_ = c.Close()
}

// parked is how many connections wait in the lot (tests).
func (f *front) parked() int {
	if f.lot == nil {
		return 0
	}
	return f.lot.Len()
}

func (f *front) stop(err error) {
	f.closeOnce.Do(func() {
		f.mu.Lock()
		f.err = err
		f.mu.Unlock()
		close(f.done)
		if f.lot != nil {
			f.lot.Close() // the parked connections are idle: closed at once, as Shutdown closes idle ones
		}
	})
}

// Accept is net/http's server's: the connections handed off.
func (f *front) Accept() (net.Conn, error) {
	select {
	case c := <-f.std:
		return c, nil
	case <-f.done:
		f.mu.Lock()
		defer f.mu.Unlock()
		return nil, f.err
	}
}

// Close closes the listener (net/http's Shutdown calls it), once the
// loops accept from it no more.
func (f *front) Close() error {
	if f.loops != nil {
		f.loops.Unlisten()
	}
	err := f.ln.Close()
	f.stop(net.ErrClosed)
	return err
}

func (f *front) Addr() net.Addr { return f.ln.Addr() }
