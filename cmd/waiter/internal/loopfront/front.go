//go:build linux

package loopfront

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// Front spreads connections over its loops.
type Front struct {
	cfg   Config
	edge  Edge
	loops []*loop
	wg    sync.WaitGroup
	once  sync.Once
	// listenMu orders Listen and Unlisten; unlistened: Unlisten ran, so
	// no Listen may start the loops accepting again.
	listenMu   sync.Mutex
	unlistened bool
	// served counts requests the loops answered, relayed those whose
	// answers passed as they came (RelayHead), handoffs connections they
	// gave to the goroutine front (tests, metrics).
	served, relayed, handoffs atomic.Int64
	// accepted counts connections the loops accepted themselves (Listen),
	// acceptPauses the times a loop stopped accepting for a while, out of
	// descriptors or memory (tests).
	accepted, acceptPauses atomic.Int64
	// contained counts panics the loops contained, each ending one
	// client's connection (contain.go).
	contained atomic.Int64
}

// New starts a Front's loops.
func New(cfg Config, edge Edge) (*Front, error) {
	if cfg.Loops <= 0 {
		cfg.Loops = runtime.GOMAXPROCS(0)
	}
	if cfg.MaxHeaderBytes <= 0 {
		cfg.MaxHeaderBytes = 1 << 20
	}
	f := &Front{cfg: cfg, edge: edge}
	for range cfg.Loops {
		l, err := newLoop(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("loopfront: %w", err)
		}
		f.loops = append(f.loops, l)
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			l.run()
		}()
	}
	return f, nil
}

// leastLoaded is the loop with the fewest client connections, counting
// those handed to it and not adopted yet: where a new connection goes,
// one a loop accepted (prefer: that loop, unless another has fewer) or
// one Serve is given.
func (f *Front) leastLoaded(prefer *loop) *loop {
	best, fewest := prefer, prefer.load()
	for _, l := range f.loops {
		if n := l.load(); n < fewest {
			best, fewest = l, n
		}
	}
	return best
}

// load is the loop's client connections and those handed to it, not
// adopted yet: what leastLoaded compares.
func (l *loop) load() int64 { return l.clients.Load() + l.handedN.Load() }

// Serve gives c, a new connection, to the loop with the fewest.
func (f *Front) Serve(c net.Conn) {
	f.leastLoaded(f.loops[0]).hand(c)
}

// Listen has the loops accept ln's connections themselves, each from a
// duplicate of its descriptor, until Unlisten (or Shutdown); it reports
// false when they cannot (ln is not a TCP listener, or a loop refused
// it), and the caller accepts and Serves as before. ln stays the
// caller's to close, after Unlisten: the loops' duplicates keep it
// listening until then. A connection the loops accept has the socket
// options Linux copies from the listening socket (TCP_NODELAY, set here;
// SO_KEEPALIVE and TCP_KEEP*, which serve's listener sets), not those
// net.TCPListener's Accept would set on it.
func (f *Front) Listen(ln net.Listener) bool {
	fd, ok := listenerFD(ln)
	if !ok {
		return false
	}
	f.listenMu.Lock()
	defer f.listenMu.Unlock()
	if f.unlistened {
		return false
	}
	// Linux gives an accepted socket the listener's TCP_NODELAY, so one
	// setsockopt here saves one per connection (net.TCPListener's Accept
	// sets it on each).
	_ = syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	acks := make([]chan error, len(f.loops))
	failed := false
	for i, l := range f.loops {
		dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			failed = true
			break
		}
		acks[i] = make(chan error, 1)
		l.post(mail{listen: true, lfd: dup, ack: acks[i]})
	}
	for _, ack := range acks {
		if ack != nil && <-ack != nil {
			failed = true
		}
	}
	if failed {
		f.unlisten()
		return false
	}
	return true
}

// Unlisten stops the loops' accepting (Listen) and returns once none
// accepts any more; the listener itself is the caller's to close.
func (f *Front) Unlisten() {
	f.listenMu.Lock()
	defer f.listenMu.Unlock()
	f.unlistened = true
	f.unlisten()
}

func (f *Front) unlisten() {
	acks := make([]chan error, len(f.loops))
	for i, l := range f.loops {
		acks[i] = make(chan error, 1)
		l.post(mail{unlisten: true, ack: acks[i]})
	}
	for _, ack := range acks {
		<-ack
	}
}

// Shutdown drains the loops: idle connections close at once, the others
// after the request in progress; once ctx ends, those left are closed
// too (their requests end as the client's error). It returns when the
// loops have stopped.
func (f *Front) Shutdown(ctx context.Context) {
	f.once.Do(func() {
		for _, l := range f.loops {
			l.post(mail{drain: true})
		}
	})
	done := make(chan struct{})
	go func() {
		f.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-ctx.Done():
	}
	f.Close()
}

// Close stops the loops at once, closing every connection they hold, and
// waits for them.
func (f *Front) Close() {
	for _, l := range f.loops {
		l.post(mail{stop: true})
	}
	f.wg.Wait()
}

// Served is how many requests the loops answered, Relayed how many of
// their answers passed as they came; Handoffs how many connections they
// gave to the goroutine front.
func (f *Front) Served() int64   { return f.served.Load() }
func (f *Front) Relayed() int64  { return f.relayed.Load() }
func (f *Front) Handoffs() int64 { return f.handoffs.Load() }

// Contained is how many panics while serving a client's request the
// loops contained, each ending that client's connection only.
func (f *Front) Contained() int64 { return f.contained.Load() }

// Loops is how many event loops serve (Config.Loops, or one per CPU).
func (f *Front) Loops() int { return len(f.loops) }

// Accepted is how many connections the loops accepted themselves.
func (f *Front) Accepted() int64 { return f.accepted.Load() }
