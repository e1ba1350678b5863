package waiterhttp

import (
	"context"
	"net"
	"sync"
)

// hijacked tracks the client connections of open websockets. net/http
// forgets a connection once its handler hijacks it, so http.Server's
// Shutdown does not wait for websockets; the drain does, through this.
type hijacked struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	idle  chan struct{} // closed, and replaced, whenever the last socket ends
}

func newHijacked() *hijacked {
	return &hijacked{conns: map[net.Conn]struct{}{}, idle: make(chan struct{})}
}

// add tracks c until the returned func is called (when its relay ends).
func (h *hijacked) add(c net.Conn) (done func()) {
	h.mu.Lock()
	h.conns[c] = struct{}{}
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.conns, c)
		if len(h.conns) == 0 {
			close(h.idle)
			h.idle = make(chan struct{})
		}
	}
}

// wait returns once no socket is open (nil) or ctx ends (its error).
func (h *hijacked) wait(ctx context.Context) error {
	for {
		h.mu.Lock()
		n, idle := len(h.conns), h.idle
		h.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// closeAll closes every open socket's client connection; each relay then
// ends, closes its backend side and releases its instance.
func (h *hijacked) closeAll() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.conns {
		_ = c.Close()
	}
	return len(h.conns)
}

// DrainWebsockets waits for open websockets to close, until ctx ends; then
// it closes those still open and waits (up to grace) for their relays to
// end and release their instances. It returns how many it had to close.
// `waiter serve` calls it on SIGTERM, after Drain, within the drain
// timeout, since http.Server.Shutdown does not wait for hijacked
// connections.
func (s *Server) DrainWebsockets(ctx context.Context, grace context.Context) int {
	if s.sockets.wait(ctx) == nil {
		return 0
	}
	n := s.sockets.closeAll()
	_ = s.sockets.wait(grace)
	return n
}
