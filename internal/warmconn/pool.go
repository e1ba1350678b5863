package warmconn

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// MaxAge is how long a connection is kept for its first request: as long
// as the proxy keeps an idle connection (Waiter's pool idle timeout). The
// request a cold start dispatches takes it within a millisecond of the
// check, unless the router is slow to hear of the instance, which a
// loaded machine can make it.
const MaxAge = 10 * time.Second

// Pool holds, per instance address ("host:port"), a connection a health
// check left open. Safe for concurrent use; the zero value is not ready
// (New).
type Pool struct {
	maxAge time.Duration

	// held counts the connections kept, so that Take, called for every
	// request that reaches an instance (before any idle connection is
	// looked for), costs an atomic load when there are none, as there
	// are between cold starts.
	held atomic.Int32

	mu     sync.Mutex
	conns  map[string]*kept
	closed bool
}

// kept is one connection and the timer that closes it unused.
type kept struct {
	conn  net.Conn
	timer *time.Timer
}

// New returns an empty pool whose connections are closed after maxAge
// unless taken.
func New(maxAge time.Duration) *Pool {
	return &Pool{maxAge: maxAge, conns: map[string]*kept{}}
}

// Put keeps c for the next Take of addr; a connection kept for addr
// before is closed. After Close, or on a nil pool, c is closed at once.
func (p *Pool) Put(addr string, c net.Conn) {
	if p == nil {
		_ = c.Close()
		return
	}
	k := &kept{conn: c}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		_ = c.Close()
		return
	}
	old := p.conns[addr]
	p.conns[addr] = k
	if old == nil {
		p.held.Add(1)
	}
	k.timer = time.AfterFunc(p.maxAge, func() { p.expire(addr, k) })
	p.mu.Unlock()
	if old != nil {
		old.timer.Stop()
		_ = old.conn.Close()
	}
}

// Take returns the connection kept for addr, or nil (also on a nil
// pool); it is the caller's.
func (p *Pool) Take(addr string) net.Conn {
	if p == nil || p.held.Load() == 0 {
		return nil
	}
	p.mu.Lock()
	k := p.conns[addr]
	if k == nil {
		p.mu.Unlock()
		return nil
	}
	delete(p.conns, addr)
	p.held.Add(-1)
	p.mu.Unlock()
	k.timer.Stop()
	return k.conn
}

// Len is the number of connections kept.
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// Close closes every connection kept, and every one Put after.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	conns := p.conns
	p.conns = map[string]*kept{}
	p.held.Store(0)
	p.mu.Unlock()
	for _, k := range conns {
		k.timer.Stop()
		_ = k.conn.Close()
	}
}

// expire closes k's connection if it is still kept for addr.
func (p *Pool) expire(addr string, k *kept) {
	p.mu.Lock()
	if p.conns[addr] != k {
		p.mu.Unlock()
		return // taken, or replaced
	}
	delete(p.conns, addr)
	p.held.Add(-1)
	p.mu.Unlock()
	_ = k.conn.Close()
}
