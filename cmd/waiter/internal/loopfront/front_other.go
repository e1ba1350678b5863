//go:build !linux

package loopfront

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	waiterhttp "github.com/waiter-go/waiter/adapters/http"
)

// Edge is what the loops ask of the router's HTTP edge.
type Edge interface {
	NewLoopCall() *waiterhttp.LoopCall
	LoopRoutable(r *http.Request) bool
	ConnContext(ctx context.Context) context.Context
}

// Config configures a Front.
type Config struct {
	Loops                          int
	ReadHeaderTimeout, IdleTimeout time.Duration
	MaxHeaderBytes                 int
	Handoff                        func(c net.Conn, pending []byte)
}

// Front is not built here: the loops need epoll.
type Front struct{}

// New reports that event loops need Linux.
func New(Config, Edge) (*Front, error) {
	return nil, errors.New("loopfront: event loops need Linux (epoll); set event-loop: false")
}

func (*Front) Serve(net.Conn)           {}
func (*Front) Shutdown(context.Context) {}
func (*Front) Close()                   {}
func (*Front) Served() int64            { return 0 }
func (*Front) Handoffs() int64          { return 0 }
