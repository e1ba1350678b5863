package waiterhttp

import (
	"context"
	"sync"
	"time"

	"github.com/benbjohnson/clock"
)

// fastWatchAfter is how long an exchange on a fast client connection runs
// before its request's context is watched. Registering a context.AfterFunc
// for every exchange was the largest item of the fast client's own CPU
// (2.3 µs of a request in BenchmarkProxyToken's profile: a done channel,
// a children map and three closures per request, and their locks), while
// almost every exchange ends within a millisecond. Nothing is lost by
// waiting: the fast front only notices a client gone after 20 ms
// (internal/h1serve's watch), the socket timeout is the connection's own
// deadline, and a streaming timeout or a canceled request is noticed at
// most this much later than it was.
const fastWatchAfter = 20 * time.Millisecond

// fastWatch cancels a connection's exchange when its request's context
// ends: armed for each request on the connection, it registers
// context.AfterFunc(ctx, expire) only once the request has run for
// fastWatchAfter. One per pooled connection, reused by its requests.
type fastWatch struct {
	clk     clock.Clock // the real one (fastEnabled)
	mu      sync.Mutex
	timer   *clock.Timer
	ctx     context.Context
	active  bool
	stop    func() bool // the AfterFunc's, once registered
	expired bool        // the AfterFunc ran: the connection is spent
	expire  func()      // ends a blocked read or write on the connection
}

// arm watches ctx for a new exchange.
func (w *fastWatch) arm(ctx context.Context, expire func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ctx, w.active, w.stop, w.expired, w.expire = ctx, true, nil, false, expire
	if w.timer == nil {
		w.timer = w.clk.AfterFunc(fastWatchAfter, w.fire)
	} else {
		w.timer.Reset(fastWatchAfter)
	}
}

// fire registers the AfterFunc of a request still running. A timer call
// that Stop could not catch may run while the next request is armed: it
// then registers for that one, only early.
func (w *fastWatch) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.active || w.stop != nil {
		return
	}
	w.stop = context.AfterFunc(w.ctx, w.expired1)
}

// expired1 is the AfterFunc: it notes the connection spent, then ends
// what blocks on it.
func (w *fastWatch) expired1() {
	w.mu.Lock()
	w.expired = true
	expire := w.expire
	w.mu.Unlock()
	expire()
}

// disarm ends the watch of the exchange; it reports whether the context's
// end reached the connection (which must then be closed, not reused).
func (w *fastWatch) disarm() (canceled bool) {
	w.mu.Lock()
	w.active = false
	w.timer.Stop()
	stop := w.stop
	w.stop, w.ctx = nil, nil // an idle connection keeps no request
	w.mu.Unlock()
	if stop != nil && !stop() {
		// The AfterFunc started (or ran): it expires the connection.
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.expired
}
