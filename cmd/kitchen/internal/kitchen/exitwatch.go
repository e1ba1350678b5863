package kitchen

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// exitWatch implements x-kitchen-fail-by-terminating-jvm: exit the process
// once the response has been delivered. A handler cannot see that moment
// (net/http finishes the body, the terminating chunk included, after the
// handler returns), so the handler marks its connection and the server's
// ConnState hook exits when that connection leaves the active state.
type exitWatch struct {
	mu     sync.Mutex
	marked map[net.Conn]bool
}

type connKey struct{}

// install hooks the watch into srv.
func (e *exitWatch) install(srv *http.Server, exit func()) {
	srv.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, c)
	}
	srv.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateActive || s == http.StateNew {
			return
		}
		e.mu.Lock()
		marked := e.marked[c]
		delete(e.marked, c)
		e.mu.Unlock()
		if marked {
			exit()
		}
	}
}

// mark asks for exit once r's connection has delivered its response. It
// reports false when r did not come through an installed server (a test's
// ResponseRecorder); the caller then exits as soon as the handler is done.
func (e *exitWatch) mark(r *http.Request) bool {
	c, ok := r.Context().Value(connKey{}).(net.Conn)
	if !ok {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.marked == nil {
		e.marked = map[net.Conn]bool{}
	}
	e.marked[c] = true
	return true
}
