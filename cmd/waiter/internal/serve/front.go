package serve

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
	"github.com/waiter-go/waiter/cmd/waiter/internal/config"
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

	std       chan net.Conn
	idle      chan net.Conn // to a worker waiting for its next connection
	done      chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex
	err       error
}

// onFront, when set (tests), is given each front Run builds.
var onFront func(*front)

func newFront(ln net.Listener, cfg config.Config, edge *waiterhttp.Server, h http.Handler, log *slog.Logger) *front {
	return &front{
		ln: ln, edge: edge, maxHead: cfg.MaxHeaderBytes,
		fast: &h1serve.Server{Handler: h, ReadHeaderTimeout: cfg.ReadHeaderTimeout, IdleTimeout: cfg.IdleTimeout,
			Stop: h1guard.ErrHandoff, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug),
			// The edge keeps each request's state in the connection's
			// context, saving a request copy per request, and its
			// records for reuse once the response is written.
			ConnContext: edge.ConnContext, RequestDone: edge.RequestDone},
		std: make(chan net.Conn), idle: make(chan net.Conn), done: make(chan struct{}),
	}
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

// run accepts connections until the listener closes.
func (f *front) run() {
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
		if f.claimIdle() {
			select {
			case f.idle <- c: // a waiting worker takes it (worker)
			case <-f.done:
				_ = c.Close()
			}
			continue
		}
		go f.worker(c)
	}
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

func (f *front) serveConn(c net.Conn) {
	s := h1guard.NewSplit(rawio.Wrap(c), f.route, f.maxHead)
	s.HeadTimeout = f.fast.ReadHeaderTimeout
	if f.fast.ServeConn(s) {
		if rc, ok := s.Handoff(); ok {
			s.Free()
			f.handoffs.Add(1) // before net/http can answer on it
			select {
			case f.std <- rc:
				return
			case <-f.done:
			}
			_ = c.Close()
			return
		}
	}
	s.Free()
	_ = c.Close()
}

func (f *front) stop(err error) {
	f.closeOnce.Do(func() {
		f.mu.Lock()
		f.err = err
		f.mu.Unlock()
		close(f.done)
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

// Close closes the listener (net/http's Shutdown calls it).
func (f *front) Close() error {
	err := f.ln.Close()
	f.stop(net.ErrClosed)
	return err
}

func (f *front) Addr() net.Addr { return f.ln.Addr() }
