//go:build linux

package loopfront

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
)

// Front spreads connections over its loops.
type Front struct {
	cfg   Config
	edge  Edge
	loops []*loop
	next  atomic.Uint64
	wg    sync.WaitGroup
	once  sync.Once
	// served counts requests the loops answered, relayed those whose
	// answers passed as they came (RelayHead), handoffs connections they
	// gave to the goroutine front (tests, metrics).
	served, relayed, handoffs atomic.Int64
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

// Serve gives c, a new connection, to a loop.
func (f *Front) Serve(c net.Conn) {
	f.loops[f.next.Add(1)%uint64(len(f.loops))].hand(c)
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
