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
	conns map[*socket]struct{}
	idle  chan struct{} // closed, and replaced, whenever the last socket ends
}

// socket is one websocket from its handshake on; conn is set once the
// client connection is hijacked (before that, net/http tracks it).
type socket struct{ conn net.Conn }

func newHijacked() *hijacked {
	return &hijacked{conns: map[*socket]struct{}{}, idle: make(chan struct{})}
}

// add tracks a websocket from its handshake until the returned done is
// called (when its relay ends); hijacked hands over its connection. It is
// tracked from before the hijack, so that no drain can miss it between
// net/http forgetting the connection and the relay starting.
func (h *hijacked) add() (hijacked func(net.Conn), done func()) {
	s := &socket{}
	h.mu.Lock()
	h.conns[s] = struct{}{}
	h.mu.Unlock()
	hijacked = func(c net.Conn) {
		h.mu.Lock()
		defer h.mu.Unlock()
		s.conn = c
	}
	done = func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(h.conns, s)
		if len(h.conns) == 0 {
			close(h.idle)
			h.idle = make(chan struct{})
		}
	}
	return hijacked, done
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
	n := 0
	for s := range h.conns {
		if s.conn != nil {
			_ = s.conn.Close()
			n++
		}
	}
	return n
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
